using System.Diagnostics;
using Distill.Runtime.Bundle;
using Distill.Runtime.Dsp;
using Distill.Runtime.Engine;
using Distill.Runtime.Inference;
using Distill.Trainer.Autoencoder;
using Distill.Trainer.Data;
using Distill.Trainer.Export;
using Distill.Trainer.Pipeline;
using Distill.Trainer.Prior;
using Distill.Trainer.Torch;
using TorchSharp;

namespace Distill.Trainer.Cli;

/// <summary>
/// Speed of playing worlds, printed as numbers: the streaming path (decode + phase + resample) and the prior
/// per size tier, single-threaded, on bundles exported from untrained models of each tier's real size (speed
/// does not depend on the weights); and the instrument as a plugin runs it, paced in real time.
/// </summary>
static partial class RuntimeBenchmark
{
    static readonly int[] TierFiles = [20, 100, 500];

    /// <summary>A bundle of the default autoencoder and the prior tier for <paramref name="files"/> files, with 16
    /// random anchors of 4 s.</summary>
    public static string TierWorld(string folder, int files, PriorWeights priorWeights = PriorWeights.Float32)
    {
        string path = Path.Combine(folder, $"tier-{files}-{priorWeights}.distill");
        TorchThreads.Use(1);
        torch.manual_seed(files).Dispose();
        var autoencoder = new RvqAutoencoder(
            new AutoencoderConfig { CodebookSize = AdaptiveSizing.CodebookSize(files) });
        autoencoder.eval();
        var (hidden, layers) = AdaptiveSizing.Prior(AdaptiveSizing.TypicalTokens(files));
        var m = autoencoder.Config;
        var prior = new CodePrior(new PriorConfig
        {
            Hidden = hidden, Layers = layers, QueriesPerKeyValue = AdaptiveSizing.PriorQueriesPerKeyValue(hidden),
            Levels = m.Levels, CodebookSize = m.CodebookSize,
            FrequencyPositions = m.FrequencyPositions,
        });
        prior.eval();
        var random = new Random(files);
        int steps = 24, tokens = steps * prior.Config.TokensPerStep;
        var anchors = Enumerable.Range(0, 16)
            .Select(i => new CodeSequence($"anchor-{i:D2}",
                                          Enumerable.Range(0, tokens)
                                              .Select(_ => (long)random.Next(m.CodebookSize)).ToArray(),
                                          steps))
            .ToArray();
        // Log statistics of real worlds (training normalises to them), so magnitudes land in a realistic range.
        var stats = new FeatureStats(-7f, 3f, -5f, 2f);
        WorldExport.Write(path, autoencoder, stats, prior, anchors, $"benchmark {hidden}h/{layers}L",
                          DateTimeOffset.UnixEpoch,
                          new TrainingSummary { CodebookHealth = [], PriorBits = [], UnigramBits = [] }, priorWeights);
        return path;
    }

    /// <summary>Voice counts the throughput table compares: one voice, and the four voices the goals name.</summary>
    static readonly int[] VoiceCounts = [1, 4];

    /// <summary>Issue-4 and issue-11 figures per tier: bundle size, the streaming path's real-time factor, and at 1 and
    /// 4 voices the batched prior's tokens/s and full generation's real-time factor, as a table.</summary>
    public static void Streaming(string folder)
    {
        Console.WriteLine("Runtime, single-threaded (OnnxRuntime intra-op 1), default autoencoder, " +
                          "48 kHz model rate resampled to 44.1 kHz. Full generation: every voice decoded, " +
                          "phase-reconstructed and resampled, and one batched prior call per token for all voices " +
                          "(the engine's own path: PriorLockstep), sampled at temperature 1; × real time = seconds of audio each voice gets per second. Each figure is the fastest " +
                          "of 5 rounds.");
        Console.WriteLine("| prior | weights | bundle | decode+phase+resample | voices | prior tokens/s | × needed | " +
                          "full generation |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (int files in TierFiles)
        foreach (var weights in Enum.GetValues<PriorWeights>())
        {
            string path = TierWorld(folder, files, weights);
            var bundle = WorldBundle.Open(path);
            using var models = WorldModels.Create(bundle.Manifest, bundle.Models, path);
            var p = bundle.Manifest.Prior;
            double replay = RealTimeFactor(models, bundle);
            double needed = p.TokensPerStep * bundle.Manifest.Grid.StepsPerSecond;
            foreach (int voices in VoiceCounts)
            {
                double tokensPerSecond = PriorTokensPerSecond(models, bundle, voices);
                double full = FullGenerationRealTimeFactor(models, bundle, voices);
                Console.WriteLine($"| {p.Hidden}h/{p.Layers}L, codebook {bundle.Manifest.Quantizer.CodebookSize} | " +
                                  $"{weights} | {new FileInfo(path).Length / 1048576.0:F1} MiB | {replay:F1}× | {voices} | " +
                                  $"{tokensPerSecond:F0} | {tokensPerSecond / (needed * voices):F1}× of " +
                                  $"{needed * voices:F0}/s | {full:F1}× |");
            }
        }
    }

    /// <summary>The streaming path alone (anchor replay: decode, phase, resample) of one voice.</summary>
    static double RealTimeFactor(WorldModels models, WorldBundle bundle)
    {
        using var voice = new VoiceRenderer(models, generative: false);
        var resampler = new PolyphaseResampler(FeatureConfig.ModelRate, 44100);
        var controls = GenerationControls.Defaults with { Variation = 1 };
        var hop = new float[voice.Hop];
        var resampled = new float[resampler.MaxOutputFor(hop.Length)];
        voice.Start(bundle.Anchors[0], bundle.Anchors[1], 1, controls);
        WarmUp(() => voice.Render(controls, hop), times: 64); // first inferences are slower
        const int frames = 188; // ~2 s of audio a round
        double seconds = FastestRound(() =>
        {
            for (int i = 0; i < frames; i++)
            {
                voice.Render(controls, hop);
                resampler.Process(hop, resampled);
            }
        });
        return frames * hop.Length / (double)FeatureConfig.ModelRate / seconds;
    }

    /// <summary>Runs <paramref name="step"/> at least <paramref name="times"/> times and for at least a second, so
    /// what runs once first (OnnxRuntime's first inferences, caches) is not in the measured rounds.</summary>
    static void WarmUp(Action step, int times)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < times || Stopwatch.GetElapsedTime(start).TotalSeconds < 1; i++) step();
    }

    /// <summary>Seconds of the fastest of <paramref name="rounds"/> runs of <paramref name="round"/>: the figure
    /// least disturbed by whatever else the machine is running.</summary>
    static double FastestRound(Action round, int rounds = 5)
    {
        double fastest = double.MaxValue;
        for (int r = 0; r < rounds; r++)
        {
            long start = Stopwatch.GetTimestamp();
            round();
            fastest = Math.Min(fastest, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return fastest;
    }

    /// <summary>Tokens per second, all voices together, of a batched prior stepping <paramref name="voices"/>
    /// voices per call.</summary>
    static double PriorTokensPerSecond(WorldModels models, WorldBundle bundle, int voices)
    {
        var m = bundle.Manifest;
        using var prior = new PriorBatch(models.Prior, m.Prior, m.Quantizer.CodebookSize, voices);
        int[] all = Enumerable.Range(0, voices).ToArray();
        var previous = new long[voices];
        for (int i = 0; i < 100; i++) prior.Step(all, previous);
        int calls = Math.Max(100, 400 / voices);
        double seconds = FastestRound(() =>
        {
            for (int i = 0; i < calls; i++)
            {
                prior.Step(all, previous);
                previous.AsSpan().Fill(i % 7);
            }
        });
        return calls * voices / seconds;
    }

    /// <summary>Full generation of <paramref name="voices"/> voices side by side in one thread, as the generation
    /// worker runs them: each output frame, every voice asks for its tokens, the prior reads them for all voices in
    /// batched calls (<see cref="PriorLockstep"/>), then each voice samples, decodes, reconstructs phase and is
    /// resampled.</summary>
    static double FullGenerationRealTimeFactor(WorldModels models, WorldBundle bundle, int voices)
    {
        var m = bundle.Manifest;
        using var priors = new PriorBatch(models.Prior, m.Prior, m.Quantizer.CodebookSize, voices);
        var lockstep = new PriorLockstep(priors);
        var renderers = Enumerable.Range(0, voices).Select(v => new VoiceRenderer(models, priors, v)).ToArray();
        try
        {
            var resamplers = renderers.Select(_ => new PolyphaseResampler(FeatureConfig.ModelRate, 44100)).ToArray();
            var controls = GenerationControls.Defaults with { Variation = 1 };
            var hop = new float[renderers[0].Hop];
            var resampled = new float[resamplers[0].MaxOutputFor(hop.Length)];
            var streams = renderers.Select(r => r.Codes).ToArray();
            for (int v = 0; v < voices; v++)
                renderers[v].Start(bundle.Anchors[v % bundle.Anchors.Count], bundle.Anchors[1], (ulong)v, controls);

            void Frame()
            {
                foreach (var r in renderers) r.Ask(controls);
                lockstep.Read(streams, controls);
                for (int v = 0; v < voices; v++)
                {
                    renderers[v].Render(controls, hop);
                    resamplers[v].Process(hop, resampled);
                }
            }

            // Warm-up past the primed opening (the prior reads it at once) into generation proper.
            WarmUp(Frame, times: (CodeStream.PrimeSteps + 2) * WorldGraphs.FramesPerStep);
            const int frames = 6 * WorldGraphs.FramesPerStep; // ~1 s of audio per voice a round
            double seconds = FastestRound(() =>
            {
                for (int i = 0; i < frames; i++) Frame();
            });
            return frames * hop.Length / (double)FeatureConfig.ModelRate / seconds;
        }
        finally
        {
            foreach (var renderer in renderers) renderer.Dispose();
        }
    }

    /// <summary>Issue-5 figures: the instrument as a plugin runs it (4 held notes, real-time pacing).</summary>
    public static void Plugin(string folder)
    {
        string path = TierWorld(folder, TierFiles[0]);
        var catalog = new[] { new WorldEntry("benchmark", path) };
        Console.WriteLine($"Instrument (the plugin core), default autoencoder with a " +
                          $"{AdaptiveSizing.Prior(AdaptiveSizing.TypicalTokens(TierFiles[0])).Hidden}h prior, {Instrument.Polyphony} voices held:");

        // A cache of our own: the first load renders the openings (cold), later ones read them (warm).
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME",
                                           Directory.CreateTempSubdirectory("distill-bench-cache").FullName);
        long before = SettledPrivateBytes();
        var clock = Stopwatch.StartNew();
        var first = Loaded(catalog);
        double coldSeconds = clock.Elapsed.TotalSeconds;
        long withOne = SettledPrivateBytes();
        clock.Restart();
        var second = Loaded(catalog);
        double warmSeconds = clock.Elapsed.TotalSeconds;
        long perInstance = SettledPrivateBytes() - withOne;
        var third = Loaded(catalog);
        clock.Restart();
        third.Dispose();
        double releaseSeconds = clock.Elapsed.TotalSeconds;
        var loading = new Instrument(catalog);
        loading.Activate(FeatureConfig.ModelRate, 1024);
        loading.Render(new float[1], new float[1]);
        Thread.Sleep(5); // the worker has started the load
        clock.Restart();
        loading.Dispose();
        double releaseLoadingSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"  load: {warmSeconds * 1000:F0} ms from construction to playable " +
                          $"(sessions, {Instrument.Slots} voice renderers, cached openings); " +
                          $"{coldSeconds * 1000:F0} ms the first time a world is played " +
                          "(openings rendered, then cached)");
        Console.WriteLine($"  release: {releaseSeconds * 1000:F1} ms; " +
                          $"{releaseLoadingSeconds * 1000:F1} ms while a world is loading");
        Console.WriteLine($"  memory: {(withOne - before) / 1048576.0:F0} MiB for the first instance " +
                          $"(OnnxRuntime included), {perInstance / 1048576.0:F0} MiB for each further one");
        foreach (int rate in new[] { 44100, 96001, 767999 })
        {
            long settled = SettledPrivateBytes();
            clock.Restart();
            second.Activate(rate, 8192);
            double activation = clock.Elapsed.TotalMilliseconds;
            Console.WriteLine($"  activation at {rate} Hz: {activation:F1} ms, " +
                              $"{(SettledPrivateBytes() - settled) / 1048576.0:F1} MiB more");
        }
        second.Dispose();

        Paced(first, 256, seconds: 1); // warm-up: every path of the audio thread and the worker runs once
        foreach (int block in new[] { 64, 256, 1024 })
        {
            var (times, underruns, workerSeconds, audioSeconds) = Paced(first, block, seconds: 6);
            Array.Sort(times);
            double Ms(double q) => times[Math.Min(times.Length - 1, (int)(q * times.Length))] * 1000;
            Console.WriteLine($"  {block,4}-sample blocks at 48 kHz: audio thread {Ms(0.5):F3} ms median, " +
                              $"{Ms(0.99):F3} ms p99, {times[^1] * 1000:F3} ms max " +
                              $"(block lasts {block / 48.0:F2} ms); " +
                              $"worker {workerSeconds / audioSeconds * 1000:F0} ms CPU per second of audio; " +
                              $"{underruns} underrun blocks");
        }
        first.Dispose();
    }

    /// <summary>Private memory once garbage (and TorchSharp's native objects behind it) has been collected and glibc
    /// has handed freed heap back, so what training or export left behind does not blur the figure.</summary>
    static long SettledPrivateBytes()
    {
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        if (OperatingSystem.IsLinux()) MallocTrim(0);
        return Process.GetCurrentProcess().PrivateMemorySize64;
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    static Instrument Loaded(WorldEntry[] catalog)
    {
        var instrument = new Instrument(catalog);
        instrument.Activate(FeatureConfig.ModelRate, 1024);
        var one = new float[1];
        while (!instrument.HasWorld) { instrument.Render(one, one); Thread.Sleep(1); }
        return instrument;
    }

    /// <summary>Plays <paramref name="seconds"/> of four held notes in blocks paced like a host's audio
    /// callback.</summary>
    static (double[] Times, long Underruns, double WorkerSeconds, double AudioSeconds) Paced(Instrument instrument,
                                                                                             int block, double seconds)
    {
        instrument.Activate(FeatureConfig.ModelRate, block); // also silences the previous run's notes
        foreach (int key in new[] { 48, 55, 60, 64 }) instrument.NoteOn(key, 0.8f);
        var left = new float[block];
        var right = new float[block];
        int blocks = (int)(seconds * FeatureConfig.ModelRate / block);
        var times = new double[blocks];
        long underruns = instrument.Underruns;
        var busy = instrument.WorkerBusy;
        var wall = Stopwatch.StartNew();
        for (int b = 0; b < blocks; b++)
        {
            long start = Stopwatch.GetTimestamp();
            instrument.Render(left, right);
            times[b] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            double due = (b + 1) * block / (double)FeatureConfig.ModelRate;
            while (wall.Elapsed.TotalSeconds < due - 0.002) Thread.Sleep(1);
            while (wall.Elapsed.TotalSeconds < due) Thread.SpinWait(50);
        }
        return (times, instrument.Underruns - underruns, (instrument.WorkerBusy - busy).TotalSeconds,
                blocks * block / (double)FeatureConfig.ModelRate);
    }
}
