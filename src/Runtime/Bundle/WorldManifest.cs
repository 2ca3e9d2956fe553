using System.Text.Json.Serialization;

namespace Distill.Runtime.Bundle;

/// <summary>
/// <c>manifest.json</c> of a <c>.distill</c> bundle: everything a runtime needs to play the world
/// besides the three graphs (<see cref="WorldGraphs"/>), and a record of how it was trained.
/// </summary>
public sealed record WorldManifest
{
    public const int CurrentFormatVersion = 3;
    public const string DistillModelType = "distill.rvq-prior";
    /// <summary>The manifest's own name inside the bundle.</summary>
    public const string MemberName = "manifest.json";

    public int FormatVersion { get; init; } = CurrentFormatVersion;
    public string ModelType { get; init; } = DistillModelType;
    /// <summary>World name shown to the user (the run folder's name unless given).</summary>
    public required string Name { get; init; }
    /// <summary>Tool and version that wrote the bundle, e.g. "distill 0.3.0".</summary>
    public required string Producer { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required AudioParameters Audio { get; init; }
    public required GridShape Grid { get; init; }
    public required QuantizerShape Quantizer { get; init; }
    public required PriorShape Prior { get; init; }
    /// <summary>Shapes of the decoder's carried state tensors, <c>state_in_i</c>/<c>state_out_i</c> in order.</summary>
    public required long[][] DecoderState { get; init; }
    public required TrainingSummary Training { get; init; }
    /// <summary>One code sequence per training clip, in the training folder's order.</summary>
    public required Anchor[] Anchors { get; init; }
    /// <summary>Every other member of the bundle: name → size and SHA-256.</summary>
    public required MemberDigest[] Members { get; init; }
}

/// <summary>Feature parameters the world was trained with (mirrors <see cref="Dsp.FeatureConfig"/>) and the
/// scalar normalisation baked into the graphs, kept here for inspection.</summary>
public sealed record AudioParameters(int SampleRate, int NFft, int Hop, int Mels, double FMin, double FMax,
                                     float LogFloor, float MelMean, float MelStd,
                                     float MagnitudeMean, float MagnitudeStd);

/// <summary>The code grid: <see cref="FramesPerStep"/> STFT frames per time step, <see cref="FrequencyPositions"/>
/// positions per time step, each quantized by <see cref="QuantizerShape.Levels"/> levels.</summary>
public sealed record GridShape(int FrequencyPositions, int FramesPerStep, double StepsPerSecond);

public sealed record QuantizerShape(int Levels, int CodebookSize, int LatentDim);

/// <summary>Prior shape. <see cref="CacheSlots"/> = <see cref="ContextTokens"/> − 1.</summary>
/// <param name="KeyValueHeads">Key/value heads, each shared by Heads / KeyValueHeads query heads (grouped-query
/// attention); the caches hold these. 0 in worlds made before grouping: one per head.</param>
public sealed record PriorShape(int Hidden, int Layers, int Heads, int HeadDim, int ContextSteps, int TokensPerStep,
                                int ContextTokens, int CacheSlots, double RopeBase, int KeyValueHeads = 0)
{
    /// <summary>Heads of the key/value caches: <see cref="KeyValueHeads"/>, or <see cref="Heads"/> where it is 0.</summary>
    [JsonIgnore] public int CacheHeads => KeyValueHeads > 0 ? KeyValueHeads : Heads;
}

public sealed record LevelHealthSummary(int Level, double UtilizationPercent, double Perplexity, int DeadCodes);

/// <summary>How the world was trained, for <c>distill inspect</c> and the plugin's info text. The arrays are
/// required (empty when unknown): the JSON source generator sets absent init-only properties to null.</summary>
public sealed record TrainingSummary
{
    public int Files { get; init; }
    public double Seconds { get; init; }
    public long AutoencoderSteps { get; init; }
    public double? ValidationLoss { get; init; }
    public required LevelHealthSummary[] CodebookHealth { get; init; }
    public long PriorSteps { get; init; }
    /// <summary>Validation bits/token per level, and the unigram entropy of the same codes.</summary>
    public required double[] PriorBits { get; init; }
    public required double[] UnigramBits { get; init; }
    public int Seed { get; init; }
}

/// <summary>A training clip's codes, flattened time step → frequency position → level, stored as
/// base64 of little-endian uint16 (compact for hundreds of clips), and the gain in dB its notes are played with, which
/// brings the engine's replay of its codes to the clip's power (0 in worlds made before anchors had gains); and the
/// range of that replay's short-term levels, which its notes are kept within (null in worlds made before); and the
/// corrections that bring its notes' long-term spectrum to the clip's (null in worlds made before).</summary>
public sealed record Anchor(string Name, int TimeSteps, string Codes, double GainDb = 0, AnchorLevels? Levels = null,
                            AnchorSpectrum? Spectrum = null);

/// <summary>The range of short-term levels (dB of RMS over <see cref="Dsp.LevelRangeKeeper.WindowSeconds"/>, full scale
/// 0) an anchor's notes are kept in, as <see cref="Dsp.LevelRangeKeeper.WindowLevelsDb"/> measures them: from its clip's
/// quietest to its replay's loudest at its gain; and the clip's quietest level over
/// <see cref="Dsp.LevelRangeKeeper.LongWindowSeconds"/>, below which no second of a note sinks (null in worlds made
/// before).</summary>
public sealed record AnchorLevels(double QuietestDb, double LoudestDb, double? QuietestSecondDb = null);

/// <summary>dB per mel band of the evaluation's analysis (<see cref="Evaluation.MelPowerSpectrogram"/>) added to an
/// anchor's decoded magnitudes, each bringing a long-term spectrum to its clip's: <see cref="ReplayDb"/> its replay's
/// (variation 0), <see cref="NoteDb"/> a generated note's (variation 1); a note in between blends them. Each changes
/// the spectrum's shape, not its power: the gain sets the level.</summary>
public sealed record AnchorSpectrum(double[] ReplayDb, double[] NoteDb);

public sealed record MemberDigest(string Name, long Size, string Sha256);

// Strict about what would break playback (nulls, missing constructor values); unknown fields are skipped.
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
                             RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(WorldManifest))]
public sealed partial class WorldManifestJson : JsonSerializerContext;
