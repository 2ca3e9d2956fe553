using Distill.Runtime.Demo;
using Distill.Runtime.Dsp;
using Distill.Tests.Training;
using Distill.Trainer.Autoencoder;
using Distill.Trainer.Cli;
using Distill.Trainer.Data;
using Distill.Trainer.Pipeline;
using Distill.Trainer.Torch;

namespace Distill.Tests;

/// <summary>
/// A small real world for the engine and plugin tests: a tiny autoencoder and prior trained on the demo
/// corpus through the trainer's own stages, ending in its own export (<c>world.distill</c>). Built once per
/// test run, and cached in the temp folder under a key of the trainer's, runtime's and tests' builds, so a rebuild
/// of any makes a fresh one.
/// </summary>
public static class TestWorld
{
    static readonly Lazy<string> Built = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Path of the exported bundle.</summary>
    public static string BundlePath => Built.Value;

    /// <summary>The demo textures the world was trained on (one file each, 2 s).</summary>
    public static int Anchors => DemoCorpus.Textures.Count;

    static string Build()
    {
        var builds = new[] { typeof(AutoencoderTrainer), typeof(Runtime.Engine.Instrument), typeof(TestWorld) }
            .Select(t => t.Assembly.ManifestModule.ModuleVersionId.ToString("N")[..8]);
        string key = string.Join("-", builds);
        string root = Path.Combine(Path.GetTempPath(), "distill-test-world-" + key);
        string bundle = Path.Combine(root, "run", Trainer.Export.WorldExport.DefaultFile);
        if (File.Exists(bundle)) return bundle;
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);

        string corpusDir = Path.Combine(root, "corpus"), runDir = Path.Combine(root, "run");
        DemoCorpus.Generate(corpusDir, seed: 1, secondsPerFile: 2.0);
        var corpus = Corpus.Load(corpusDir, new FeatureConfig());
        var config = RunConfig.Resolve(new TrainOptions { Folder = corpusDir, RunDir = runDir, Epochs = 40, BatchSize = 8, Threads = 1, Seed = 4 }, corpus) with
        {
            Model = new AutoencoderConfig { StemChannels = 4, StageChannels = [8, 8, 16, 16], LatentDim = 16, CodebookSize = 32, Levels = 3, StftHeadChannels = 2 },
            WarmupSteps = 4,
        };
        Directory.CreateDirectory(runDir);
        new AutoencoderTrainer(config, corpus, runDir, new NullObserver()).Run(CancellationToken.None);
        var end = new PriorStage(new ConsoleRunObserver())
            .Run(runDir, corpus, new PriorOptions(Hidden: 64, Layers: 2, Epochs: 40), CancellationToken.None);
        if (end != TrainingEnd.Completed || !File.Exists(bundle))
            throw new InvalidOperationException($"test world not built (prior stage: {end})");
        return bundle;
    }
}
