using Distill.Runtime.Demo;
using Distill.Runtime.Dsp;
using Distill.Tests;
using Distill.Trainer.Autoencoder;
using Distill.Trainer.Cli;
using Distill.Trainer.Data;
using Distill.Trainer.Pipeline;
using Distill.Trainer.Torch;

namespace Distill.TestWorld;

/// <summary>
/// A small real world for the engine and plugin tests: a tiny autoencoder and prior trained on the demo
/// corpus through the trainer's own stages, ending in its own export (<c>world.distill</c>). Built once, and cached
/// in the temp folder under a key of the trainer's, runtime's and this program's builds, so a rebuild of any makes a
/// fresh one. Prints the bundle's path (the run folder around it holds the run's own files).
/// </summary>
public static class TinyWorld
{
    /// <summary>Written last: a folder without it is an interrupted build.</summary>
    const string CompleteMarker = "complete";

    static int Main()
    {
        var stdout = Console.Out;
        Console.SetOut(Console.Error); // stdout carries only the path
        stdout.WriteLine(Cached());
        return 0;
    }

    static string Cached()
    {
        var builds = new[] { typeof(AutoencoderTrainer), typeof(Runtime.Engine.Instrument), typeof(TinyWorld) }
            .Select(t => t.Assembly.ManifestModule.ModuleVersionId.ToString("N")[..8]);
        string key = string.Join("-", builds);
        string root = Path.Combine(Path.GetTempPath(), "distill-test-world-" + key);
        string bundle = Path.Combine(root, "run", Trainer.Export.WorldExport.DefaultFile);
        // Test projects run in parallel may all ask at once: one builds, the others wait and find it built.
        using var exclusive = Lock(root + ".lock");
        if (File.Exists(Path.Combine(root, CompleteMarker))) return bundle;
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        Build(root, bundle);
        File.WriteAllText(Path.Combine(root, CompleteMarker), "");
        return bundle;
    }

    /// <summary>An exclusive lock on <paramref name="path"/> (flock on Linux), released when this process ends,
    /// however it ends.</summary>
    static FileStream Lock(string path)
    {
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) { Thread.Sleep(500); }
        }
    }

    static void Build(string root, string bundle)
    {
        string corpusDir = Path.Combine(root, "corpus"), runDir = Path.Combine(root, "run");
        DemoCorpus.Generate(corpusDir, seed: 1, secondsPerFile: 2.0);
        var corpus = Corpus.Load(corpusDir, new FeatureConfig());
        // Every size and rate is fixed (not the adaptive defaults): the engine and plugin tests' bounds were measured
        // on this world.
        var config = RunConfig.Resolve(new TrainOptions { Folder = corpusDir, RunDir = runDir, Epochs = 40, BatchSize = 8, Threads = 1, Seed = 4, LearningRate = 2e-3 }, corpus) with
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
    }
}
