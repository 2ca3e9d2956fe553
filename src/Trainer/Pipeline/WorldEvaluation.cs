using System.Numerics.Tensors;
using System.Text.Json;
using System.Text.Json.Serialization;
using Distill.Runtime.Audio;
using Distill.Runtime.Bundle;
using Distill.Runtime.Dsp;
using Distill.Runtime.Evaluation;
using Distill.Runtime.Inference;
using Distill.Trainer.Data;
using Distill.Trainer.Export;

namespace Distill.Trainer.Pipeline;

/// <summary>One anchor measured against its original clip: as the engine plays it, as the decoder's magnitudes
/// before any phase (codes only: what the codec alone loses), and as the oracle (the original's own magnitudes with
/// Griffin–Lim phase: what phase reconstruction alone loses) does.</summary>
public sealed record EvaluatedClip(string Anchor, string File, string Split, ClipComparison Engine,
                                   SpectralComparison CodesOnly, ClipComparison Oracle);

/// <summary>One split's clips in a few figures, each summarised as its goal reads it: the distances and convergences
/// averaged; level, flux, crest and step periodicity as the median clip (and the level's worst clip too); DC (the
/// renders' and the originals') and clipping as the worst clip.</summary>
public sealed record SplitSummary(string Split, int Clips, double LogMelDistanceDb,
                                  double CodesOnlyLogMelDistanceDb, double OracleLogMelDistanceDb,
                                  double SpectralConvergence, double CodesOnlySpectralConvergence,
                                  double MedianLevelErrorDb, double WorstLevelErrorDb, double MedianFluxRatio,
                                  double MedianCrestFactorDifferenceDb, double MedianStepPeriodicityRatio,
                                  double LargestDcOffset, double LargestOriginalDcOffset,
                                  int MostClippedSamplesDifference)
{
    public static SplitSummary Of(string split, IReadOnlyList<EvaluatedClip> clips)
    {
        double Mean(Func<EvaluatedClip, double> measure) => clips.Average(measure);
        double Median(Func<EvaluatedClip, double> measure) =>
            SpectralMeasures.Percentile(clips.Select(measure).ToArray(), 0.5);
        return new SplitSummary(split, clips.Count, Mean(c => c.Engine.LogMelDistanceDb),
                                Mean(c => c.CodesOnly.LogMelDistanceDb), Mean(c => c.Oracle.LogMelDistanceDb),
                                Mean(c => c.Engine.SpectralConvergence), Mean(c => c.CodesOnly.SpectralConvergence),
                                Median(c => c.Engine.LevelErrorDb),
                                clips.Select(c => c.Engine.LevelErrorDb).MaxBy(Math.Abs),
                                Median(c => c.Engine.FluxRatio), Median(c => c.Engine.CrestFactorDifferenceDb),
                                Median(c => c.Engine.StepPeriodicityRatio), clips.Max(c => c.Engine.DcOffset),
                                clips.Max(c => c.Engine.OriginalDcOffset),
                                clips.Max(c => c.Engine.ClippedSamplesDifference));
    }
}

/// <summary>
/// <c>distill evaluate</c>'s work: each anchor of a world whose original clip is found, played by the plugins' engine
/// (variation 0, full velocity, held for the clip's length) and measured against the clip with the measures of
/// <see cref="ClipComparison"/>; next to it the decoder's magnitudes for the anchor's codes (codes only) and the
/// oracle, so the gaps say what the codec, phase reconstruction and the streaming path cost. With generation settings,
/// also the generation measures (<see cref="GenerationEvaluation"/>); without, the report has no such field.
/// </summary>
public sealed record WorldEvaluation(string World, string ClipsFolder, EvaluatedClip[] Clips, SplitSummary[] Splits,
                                     string[] Unmatched,
                                     [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
                                     GenerationEvaluation? Generation = null)
{
    public const string FileName = "evaluation.json";
    public const string Train = "train", Validation = "validation", Unknown = "unknown";
    public const int OracleIterations = 100;
    public const ulong OracleSeed = 1;

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // A measure of a silent or empty clip may be infinite or not a number; the file says so rather than fail.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>An original clip an anchor may be matched with.</summary>
    sealed record Original(string Path, string RelativePath, string Split);

    /// <summary>Evaluates <paramref name="target"/> (a run folder or a <c>.distill</c> world) against the clips in
    /// <paramref name="clipsFolder"/> (for a run folder, by default the folder it was trained on); with
    /// <paramref name="split"/>, only the clips of that split; with <paramref name="generation"/>, the generation
    /// measures too, on the same anchors (the PCA and the baseline read the clips of every split).</summary>
    public static WorldEvaluation Run(string target, string? clipsFolder, string? split = null,
                                      Action<string>? onClip = null, GenerationSettings? generation = null)
    {
        var (world, folder, originals) = Directory.Exists(target)
            ? FromRun(target, clipsFolder)
            : FromWorld(target, clipsFolder);
        var bundle = OpenWorld(world);
        using var models = OpenModels(bundle, world);
        var anchors = bundle.Manifest.Anchors;
        var clips = new List<EvaluatedClip>();
        var unmatched = new List<string>();
        // Every split's clips when generation is measured: its PCA and baseline need them all.
        var loadedClips = new List<GenerationEvaluation.Clip>();
        var evaluatedClips = new List<GenerationEvaluation.Clip>();
        for (int i = 0; i < anchors.Length; i++)
        {
            string name = anchors[i].Name;
            if (!originals.TryGetValue(name, out var original))
            {
                unmatched.Add($"{name}: no original clip in '{folder}'");
                continue;
            }
            bool evaluated = split is null || original.Split == split;
            if (!evaluated && generation is null) continue;
            var loaded = AudioFileLoader.Load(original.Path);
            if (!loaded.Ok)
            {
                unmatched.Add($"{name}: {original.RelativePath} {loaded.SkipReason}");
                continue;
            }
            var audio = Corpus.MonoAt(loaded, WorldNote.SampleRate);
            var clip = new GenerationEvaluation.Clip(i, name, original.RelativePath, original.Split, audio);
            loadedClips.Add(clip);
            if (!evaluated) continue;
            evaluatedClips.Add(clip);
            onClip?.Invoke(name);
            var note = new WorldNote(WorldNote.KeyFor(i, anchors.Length), audio.Length / (double)WorldNote.SampleRate)
            {
                Variation = 0,
            };
            var engine = ClipComparison.Of(audio, note.Mono(world));
            var codesOnly = SpectralComparison.Of(new MelPowerSpectrogram(audio),
                                                  Decoded(models, bundle.Anchors[i]));
            clips.Add(new EvaluatedClip(name, original.RelativePath, original.Split, engine, codesOnly,
                                        ClipComparison.Of(audio, Oracle(audio))));
        }
        if (clips.Count == 0)
            throw new UserFacingException($"None of the {anchors.Length} anchors of '{world}' has its original " +
                                          $"{(split is null ? "" : split + " ")}clip in '{folder}':\n  " +
                                          string.Join("\n  ", unmatched));
        var splits = clips.GroupBy(c => c.Split).OrderBy(g => SplitOrder(g.Key))
                         .Select(g => SplitSummary.Of(g.Key, g.ToList())).ToArray();
        var generated = generation is null
            ? null
            : GenerationEvaluation.Run(world, anchors.Length, loadedClips, evaluatedClips, generation, onClip);
        return new WorldEvaluation(world, folder, clips.ToArray(), splits, unmatched.ToArray(), generated);
    }

    static int SplitOrder(string split) => split switch { Train => 0, Validation => 1, _ => 2 };

    /// <summary>The original's own STFT magnitudes with <see cref="OracleIterations"/> of Griffin–Lim.</summary>
    static float[] Oracle(float[] audio)
    {
        var f = MelPowerSpectrogram.Features;
        var magnitude = new Stft(f.NFft, f.Hop).Magnitude(audio, out int frames);
        return new GriffinLim(f.NFft, f.Hop).Reconstruct(magnitude, frames, audio.Length, OracleIterations,
                                                         seed: OracleSeed);
    }

    /// <summary>The decoder's magnitudes for the whole anchor in one run from silence: its codes, no morph, every
    /// level, reshaped by its replay's spectrum correction, at the anchor's gain (as the engine plays them).</summary>
    static MelPowerSpectrogram Decoded(WorldModels models, AnchorTokens anchor)
    {
        using var decoder = new StreamingDecoder(models.Decoder, models.Manifest, anchor.TimeSteps);
        anchor.Tokens.CopyTo(decoder.Codes);
        anchor.Tokens.CopyTo(decoder.MorphCodes);
        decoder.Run();
        var magnitude = decoder.Magnitude.ToArray();
        var f = MelPowerSpectrogram.Features;
        if (anchor.Spectrum is { } spectrum)
        {
            var gains = new float[f.Bins];
            new MelBandGains(f.SampleRate, f.NFft, f.Mels, f.FMin, f.FMax).Apply(spectrum.ReplayDb, gains);
            for (int at = 0; at < magnitude.Length; at += f.Bins)
                MelBandGains.Reshape(magnitude.AsSpan(at, f.Bins), gains);
        }
        TensorPrimitives.Multiply(magnitude, (float)Math.Pow(10, anchor.GainDb / 20), magnitude);
        return MelPowerSpectrogram.FromMagnitude(magnitude);
    }

    static WorldModels OpenModels(WorldBundle bundle, string world)
    {
        try { return WorldModels.Create(bundle.Manifest, bundle.Models, world); }
        catch (InvalidWorldException e) { throw new UserFacingException(e.Message); }
    }

    static WorldBundle OpenWorld(string world)
    {
        try { return WorldBundle.Open(world); }
        catch (InvalidWorldException e) { throw new UserFacingException(e.Message); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserFacingException($"Cannot read '{world}': {e.Message}");
        }
    }

    /// <summary>A run folder: its world, and the files it was trained on with their split.</summary>
    static (string World, string Folder, Dictionary<string, Original> Originals) FromRun(string run, string? clips)
    {
        string world = Path.Combine(run, WorldExport.DefaultFile);
        var config = TrainedRun.Open(run).Config;
        if (!File.Exists(world))
            throw new UserFacingException($"'{run}' has no world yet ({WorldExport.DefaultFile}); finish it with: " +
                                          $"distill train --resume {run}");
        string folder = clips ?? config.InputFolder;
        RequireFolder(folder);
        var validation = config.Split.ValidatesOnTraining ? [] : config.Split.Validation.ToHashSet();
        var originals = config.Files.Select((file, i) => new Original(
            Path.Combine(folder, file), file, validation.Contains(i) ? Validation : Train));
        return (world, folder, originals.ToDictionary(o => Corpus.ClipName(o.RelativePath)));
    }

    /// <summary>A bare world: the audio files of <paramref name="clips"/>, matched to anchors by name.</summary>
    static (string World, string Folder, Dictionary<string, Original> Originals) FromWorld(string world,
                                                                                          string? clips)
    {
        if (!File.Exists(world)) throw new UserFacingException($"No run folder or world at '{world}'.");
        if (clips is null)
            throw new UserFacingException($"Give the folder of the original clips after '{world}': a world alone " +
                                          "does not record where its sounds came from.");
        RequireFolder(clips);
        var originals = new Dictionary<string, Original>();
        foreach (string path in FolderWalk.Of(clips).Files)
        {
            string relative = Path.GetRelativePath(clips, path);
            originals.TryAdd(Corpus.ClipName(relative), new Original(path, relative, Unknown));
        }
        return (world, clips, originals);
    }

    static void RequireFolder(string folder)
    {
        if (!Directory.Exists(folder)) throw new UserFacingException($"The folder '{folder}' does not exist.");
    }

    /// <summary>Where the report goes: the run folder, or the world's own folder.</summary>
    public static string ReportPath(string target) =>
        Path.Combine(Directory.Exists(target) ? target : Path.GetDirectoryName(Path.GetFullPath(target))!, FileName);

    /// <summary>Writes the report to <paramref name="path"/> whole or not at all (a reader never sees half).</summary>
    public void Write(string path)
    {
        string temporary = path + ".tmp";
        try
        {
            File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserFacingException($"Cannot write '{path}': {e.Message}");
        }
    }

    public static WorldEvaluation Read(string path) =>
        JsonSerializer.Deserialize<WorldEvaluation>(File.ReadAllText(path), Json)
        ?? throw new InvalidDataException($"{path} is empty");
}
