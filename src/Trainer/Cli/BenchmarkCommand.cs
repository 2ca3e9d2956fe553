using System.CommandLine;
using System.Diagnostics;
using Distill.Runtime.Demo;
using Distill.Trainer.Autoencoder;
using Distill.Trainer.Data;
using Distill.Trainer.Pipeline;
using Distill.Runtime.Dsp;

namespace Distill.Trainer.Cli;

/// <summary><c>distill benchmark</c>: training speed and memory of the default configuration on the
/// demo corpus, printed as numbers (speed is measured here, never asserted in tests).</summary>
public static class BenchmarkCommand
{
    public static Command Create()
    {
        var epochs = new Option<int>("--epochs") { Description = "Epochs to time.", DefaultValueFactory = _ => 3 };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default 1, as training)." };
        var only = new Option<string?>("--only")
        {
            Description = "One part: training, runtime (streaming path and prior tiers) or plugin (the instrument in " +
                          "real time).",
        };
        only.AcceptOnlyFromAmong("training", "runtime", "plugin");
        var command = new Command("benchmark",
            "Measure training (steps/s, s/epoch, peak memory), the runtime's streaming path and prior per tier " +
            "(real-time factors, tokens/s, bundle size) and the instrument as a plugin runs it (audio-thread time " +
            "per block, worker CPU, memory, load time).")

        {
            epochs, threads, only,
        };
        command.SetAction(parse =>
        {
            string? part = parse.GetValue(only);
            string folder = Directory.CreateTempSubdirectory("distill-bench-worlds").FullName;
            try
            {
                // The instrument first: its memory figures are cleanest before training has used the heap.
                if (part is null or "plugin") RuntimeBenchmark.Plugin(folder);
                if (part is null or "runtime") RuntimeBenchmark.Streaming(folder);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
            return part is null or "training" ? Run(parse.GetValue(epochs), parse.GetValue(threads)) : 0;
        });
        return command;
    }

    static int Run(int epochs, int? threads)
    {
        string root = Path.Combine(Path.GetTempPath(), $"distill-bench-{Environment.ProcessId}");
        try
        {
            DemoCorpus.Generate(Path.Combine(root, "corpus"));
            var loadClock = Stopwatch.StartNew();
            var corpus = Corpus.Load(Path.Combine(root, "corpus"), new FeatureConfig());
            double loadSeconds = loadClock.Elapsed.TotalSeconds;
            var options = new TrainOptions
            {
                Folder = Path.Combine(root, "corpus"), RunDir = root, Epochs = epochs, Threads = threads,
            };
            var config = RunConfig.Resolve(options, corpus);
            Directory.CreateDirectory(Path.Combine(root, "run"));
            var observer = new TimingObserver();
            var trainer = new AutoencoderTrainer(config, corpus, Path.Combine(root, "run"), observer);
            var clock = Stopwatch.StartNew();
            trainer.Run(CancellationToken.None);
            double seconds = clock.Elapsed.TotalSeconds;
            // The first epoch includes k-means and warm-up allocations; report steady state separately.
            double steady = observer.EpochSeconds.Skip(1).DefaultIfEmpty(observer.EpochSeconds[0]).Average();
            Console.WriteLine($"corpus: {corpus.Clips.Count} files, {corpus.Clips.Sum(c => c.Seconds):F1} s, " +
                              $"features in {loadSeconds:F2} s");
            Console.WriteLine($"config: codebook {config.Model.CodebookSize} × {config.Model.Levels} levels, " +
                              $"batch {config.BatchSize} × {config.CropFrames} frames, " +
                              $"{config.StepsPerEpoch} steps/epoch, {config.Threads} threads");
            Console.WriteLine($"training steps/s: {config.TotalSteps / seconds:F2}");
            Console.WriteLine($"seconds per epoch (incl. validation): first {observer.EpochSeconds[0]:F2}, " +
                              $"steady {steady:F2}");
            double peak = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024);
            Console.WriteLine($"peak memory (working set): {peak:F0} MiB");

            return 0;
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    sealed class TimingObserver : ITrainingObserver
    {
        public readonly List<double> EpochSeconds = new();
        public void OnStep(StepReport report) { }
        public void OnEpoch(EpochReport report) => EpochSeconds.Add(report.SecondsPerEpoch);
        public void OnMessage(string message) { }
    }
}
