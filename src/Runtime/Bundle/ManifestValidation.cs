using System.Text.Json;
using Distill.Runtime.Text;

namespace Distill.Runtime.Bundle;

/// <summary>Parsing of <c>manifest.json</c> and the consistency rules a playable world obeys. Problems are
/// collected as sentences, never thrown one at a time.</summary>
static class ManifestValidation
{
    /// <summary>What the graphs and the engine support; a manifest outside these would stall or exhaust a
    /// host.</summary>
    public static class Bounds
    {
        public const int MinSampleRate = 8000, MaxSampleRate = 192000, MinNFft = 256, MaxNFft = 16384, MaxMels = 1024;
        public const int MaxLevels = 32, MaxWidth = 8192, MaxLayers = 64;
        public const long MaxCacheFloats = 1L << 26;
        /// <summary>An anchor's gain beyond this would turn a rounding error into a blast.</summary>
        public const double MaxAnchorGainDb = 60;
        /// <summary>The loudest level an anchor may claim: a full-scale square wave is 0 dB; an anchor replayed
        /// louder than this would be a broken measurement, not a sound.</summary>
        public const double MaxAnchorLevelDb = 20;
        /// <summary>A spectrum correction beyond this per band would be a broken measurement: the export cuts at most
        /// 24 dB and lifts at most 12.</summary>
        public const double MaxSpectrumCorrectionDb = 48;
    }

    public static readonly string[] MemberNames =
        [WorldGraphs.EncoderMember, WorldGraphs.DecoderMember, WorldGraphs.PriorStepMember];

    /// <summary>The manifest, or null with the reasons in <paramref name="problems"/>. The format version and
    /// model type are read on their own first, so a bundle from a newer Distill says so rather than failing
    /// on fields this version does not know.</summary>
    public static WorldManifest? Parse(byte[] json, List<string> problems)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problems.Add("manifest.json is not a JSON object");
                return null;
            }
            if (!root.TryGetProperty("formatVersion", out var version) || version.ValueKind != JsonValueKind.Number
                || !version.TryGetInt32(out int format))
            {
                problems.Add("manifest.json has no integer formatVersion");
                return null;
            }
            if (format > WorldManifest.CurrentFormatVersion)
            {
                problems.Add($"made by a newer Distill (bundle format {format}; this Distill reads format " +
                             $"{WorldManifest.CurrentFormatVersion}): update Distill to play it");
                return null;
            }
            if (format < WorldManifest.CurrentFormatVersion)
            {
                problems.Add($"bundle format {format} is older than this Distill reads (format " +
                             $"{WorldManifest.CurrentFormatVersion}): export the world again from its run");
                return null;
            }
            if (!root.TryGetProperty("modelType", out var type) || type.ValueKind != JsonValueKind.String)
            {
                problems.Add("manifest.json has no modelType");
                return null;
            }
            if (type.GetString() != WorldManifest.DistillModelType)
            {
                problems.Add($"model type '{DisplayText.Escape(type.GetString()!)}' is not one this Distill plays " +
                             $"('{WorldManifest.DistillModelType}')");
                return null;
            }
            return root.Deserialize(WorldManifestJson.Default.WorldManifest)
                ?? throw new JsonException("manifest.json is null");
        }
        catch (JsonException e)
        {
            problems.Add($"manifest.json cannot be read: {e.Message}");
            return null;
        }
    }

    /// <summary>Adds every inconsistency of <paramref name="m"/> to <paramref name="problems"/> and returns the
    /// anchors that decode (all of them when there is no problem).</summary>
    public static AnchorTokens[] Check(WorldManifest m, List<string> problems)
    {
        void Require(bool ok, string problem) { if (!ok) problems.Add(problem); }
        var (a, g, q, p, t) = (m.Audio, m.Grid, m.Quantizer, m.Prior, m.Training);

        Require(m.FormatVersion == WorldManifest.CurrentFormatVersion,
                $"format version {m.FormatVersion} is not this Distill's ({WorldManifest.CurrentFormatVersion})");
        Require(m.ModelType == WorldManifest.DistillModelType,
                $"model type '{DisplayText.Escape(m.ModelType)}' is not one this Distill plays " +
                $"('{WorldManifest.DistillModelType}')");
        Require(!string.IsNullOrWhiteSpace(m.Name), "the world has no name");
        Require(!string.IsNullOrWhiteSpace(m.Producer), "producer is empty");

        Require(a.SampleRate is >= Bounds.MinSampleRate and <= Bounds.MaxSampleRate,
                $"audio.sampleRate must be {Bounds.MinSampleRate}–{Bounds.MaxSampleRate} Hz (is {a.SampleRate})");
        Require(a.NFft is >= Bounds.MinNFft and <= Bounds.MaxNFft && (a.NFft & (a.NFft - 1)) == 0,
                $"audio.nFft must be a power of two in {Bounds.MinNFft}–{Bounds.MaxNFft} (is {a.NFft})");
        // Phase reconstruction needs 2–8 overlapping frames: fewer cannot cancel the window, more multiply the
        // work per sample.
        Require(a.Hop >= a.NFft / 8 && a.Hop <= a.NFft / 2 && a.Hop > 0,
                $"audio.hop must be nFft/8..nFft/2 ({a.NFft / 8}–{a.NFft / 2}; is {a.Hop})");
        Require(a.Mels > 0 && a.Mels <= Math.Min(a.NFft / 2 + 1, Bounds.MaxMels),
                $"audio.mels must be 1..{Math.Min(a.NFft / 2 + 1, Bounds.MaxMels)} " +
                $"(no more than the FFT's bins or {Bounds.MaxMels}; is {a.Mels})");
        Require(a.FMin >= 0 && a.FMin < a.FMax && a.FMax <= a.SampleRate / 2.0,
                $"audio.fMin..fMax ({a.FMin}..{a.FMax} Hz) must be an increasing range within 0..sampleRate/2");
        Require(a.LogFloor is > 0 and < 1, $"audio.logFloor must be between 0 and 1 (is {a.LogFloor})");
        Require(float.IsFinite(a.MelMean) && float.IsFinite(a.MagnitudeMean)
                && a.MelStd > 0 && float.IsFinite(a.MelStd) && a.MagnitudeStd > 0 && float.IsFinite(a.MagnitudeStd),
                "audio normalisation needs finite means and positive standard deviations");

        Require(g.FrequencyPositions > 0 && a.Mels % g.FrequencyPositions == 0,
                $"grid.frequencyPositions ({g.FrequencyPositions}) must be positive and divide audio.mels ({a.Mels})");
        Require(g.FramesPerStep == WorldGraphs.FramesPerStep,
                $"grid.framesPerStep must be {WorldGraphs.FramesPerStep} (is {g.FramesPerStep})");
        if (a.SampleRate > 0 && a.Hop > 0 && g.FramesPerStep > 0)
        {
            double expected = (double)a.SampleRate / a.Hop / g.FramesPerStep;
            Require(Math.Abs(g.StepsPerSecond - expected) <= 1e-9 * expected,
                    $"grid.stepsPerSecond ({g.StepsPerSecond}) must be sampleRate / hop / framesPerStep ({expected})");
        }

        // The engine allocates the state per voice from these shapes: they must be small and well formed.
        Require(m.DecoderState.Length is > 0 and <= 64
                && m.DecoderState.All(s => s is [1, > 0, > 0, > 0] && s[1] * s[2] * s[3] <= 1 << 20),
                "decoderState must list 1–64 shapes [1, channels, frequency, frames] of at most 2^20 values");
        Require(q.Levels is > 0 and <= Bounds.MaxLevels,
                $"quantizer.levels must be 1..{Bounds.MaxLevels} (is {q.Levels})");
        Require(q.CodebookSize is > 0 and <= ushort.MaxValue + 1,
                $"quantizer.codebookSize must be 1..65536 (is {q.CodebookSize})");
        Require(q.LatentDim is > 0 and <= Bounds.MaxWidth,
                $"quantizer.latentDim must be 1..{Bounds.MaxWidth} (is {q.LatentDim})");

        long tokensPerStep = (long)g.FrequencyPositions * q.Levels;
        Require(p.Hidden > 0 && p.Layers > 0 && p.Heads > 0 && p.HeadDim > 0 && p.ContextSteps > 0,
                "prior.hidden, layers, heads, headDim and contextSteps must be positive");
        Require(p.Hidden <= Bounds.MaxWidth && p.Layers <= Bounds.MaxLayers && p.Heads <= p.Hidden,
                $"prior.hidden must be at most {Bounds.MaxWidth}, layers at most {Bounds.MaxLayers}, " +
                "heads at most hidden");
        Require(p.KeyValueHeads == 0 || (p.KeyValueHeads > 0 && p.Heads % p.KeyValueHeads == 0),
                $"prior.keyValueHeads must divide prior.heads ({p.Heads}) or be 0 (is {p.KeyValueHeads})");
        // Every voice holds a key and a value cache of layers × cacheSlots × cache heads × headDim floats.
        long cacheFloats = (long)Math.Max(p.Layers, 0) * Math.Max(p.CacheSlots, 0) * Math.Max(p.CacheHeads, 0)
                           * Math.Max(p.HeadDim, 0);
        Require(cacheFloats <= Bounds.MaxCacheFloats,
                $"prior cache of {cacheFloats} floats per voice (layers × cacheSlots × key/value heads × headDim) is " +
                $"above the limit of {Bounds.MaxCacheFloats}");
        Require(p.HeadDim % 2 == 0, $"prior.headDim must be even for rotary positions (is {p.HeadDim})");
        Require((long)p.HeadDim * p.Heads == p.Hidden,
                $"prior.headDim × heads ({p.HeadDim} × {p.Heads}) must equal prior.hidden ({p.Hidden})");
        Require(p.TokensPerStep == tokensPerStep,
                $"prior.tokensPerStep ({p.TokensPerStep}) must be grid.frequencyPositions × quantizer.levels " +
                $"({tokensPerStep})");
        Require(p.ContextTokens == (long)p.ContextSteps * p.TokensPerStep,
                $"prior.contextTokens ({p.ContextTokens}) must be contextSteps × tokensPerStep " +
                $"({(long)p.ContextSteps * p.TokensPerStep})");
        Require(p.CacheSlots == p.ContextTokens - 1L,
                $"prior.cacheSlots ({p.CacheSlots}) must be contextTokens − 1 ({p.ContextTokens - 1L})");
        Require(p.RopeBase > 0 && double.IsFinite(p.RopeBase), $"prior.ropeBase must be positive (is {p.RopeBase})");

        Require(t.Files >= 0 && t.Seconds >= 0 && double.IsFinite(t.Seconds)
                && t.AutoencoderSteps >= 0 && t.PriorSteps >= 0,
                "training counts must not be negative");
        Require(t.ValidationLoss is null || double.IsFinite(t.ValidationLoss.Value),
                $"training.validationLoss must be finite (is {t.ValidationLoss})");
        Require(t.PriorBits.Concat(t.UnigramBits).All(double.IsFinite)
                && t.CodebookHealth.All(h =>
                    h is null || double.IsFinite(h.UtilizationPercent) && double.IsFinite(h.Perplexity)),
                "training bits, utilisation and perplexity must be finite");
        Require(t.CodebookHealth.Length is 0
                || t.CodebookHealth.Length == q.Levels && t.CodebookHealth.All(h => h is not null),
                $"training.codebookHealth must have one entry per level ({q.Levels}) or none");
        Require(t.PriorBits.Length is 0 || t.PriorBits.Length == q.Levels,
                $"training.priorBits must have one value per level ({q.Levels}) or none");
        Require(t.UnigramBits.Length is 0 || t.UnigramBits.Length == q.Levels,
                $"training.unigramBits must have one value per level ({q.Levels}) or none");

        CheckMembers(m.Members, problems);
        return CheckAnchors(m.Anchors, tokensPerStep, q.CodebookSize, problems);
    }

    static void CheckMembers(MemberDigest[] members, List<string> problems)
    {
        foreach (var (member, i) in members.Select((d, i) => (d, i)))
        {
            if (member is null) { problems.Add($"members[{i}] is null"); continue; }
            string name = DisplayText.Escape(member.Name);
            if (!MemberNames.Contains(member.Name))
                problems.Add($"members lists '{name}', which is not a member of a world");
            if (member.Size < 0) problems.Add($"members: '{name}' has a negative size");
            if (member.Sha256 is not { Length: 64 } || !member.Sha256.All(char.IsAsciiHexDigit))
                problems.Add($"members: '{name}' has no SHA-256 (64 hex digits)");
        }
        foreach (var name in MemberNames)
        {
            int count = members.Count(d => d?.Name == name);
            if (count != 1)
                problems.Add(count == 0 ? $"members does not list '{name}'" : $"members lists '{name}' {count} times");
        }
    }

    static AnchorTokens[] CheckAnchors(Anchor[] anchors, long tokensPerStep, int codebookSize, List<string> problems)
    {
        if (anchors.Length == 0) problems.Add("the world has no anchors (one per training clip is expected)");
        var decoded = new List<AnchorTokens>(anchors.Length);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < anchors.Length; i++)
        {
            var anchor = anchors[i];
            if (anchor is null) { problems.Add($"anchors[{i}] is null"); continue; }
            string label = $"anchor '{DisplayText.Escape(anchor.Name)}'";
            if (string.IsNullOrWhiteSpace(anchor.Name))
            {
                problems.Add($"anchors[{i}] has no name");
                label = $"anchors[{i}]";
            }
            else if (!names.Add(anchor.Name)) problems.Add($"{label} appears twice");
            if (anchor.TimeSteps <= 0) { problems.Add($"{label} has {anchor.TimeSteps} time steps"); continue; }
            var tokens = AnchorCodes.TryDecode(anchor.Codes);
            if (tokens is null)
            {
                problems.Add($"{label}: codes are not base64 of little-endian uint16 values");
                continue;
            }
            long expected = anchor.TimeSteps * tokensPerStep;
            if (tokens.Length != expected)
            {
                problems.Add($"{label} holds {tokens.Length} codes, but {anchor.TimeSteps} time steps × " +
                             $"{tokensPerStep} tokens per step are {expected}");
                continue;
            }
            int bad = Array.FindIndex(tokens, c => c >= codebookSize);
            if (bad >= 0)
            {
                problems.Add($"{label}: code {tokens[bad]} at token {bad} is outside the codebook " +
                             $"(size {codebookSize})");
                continue;
            }
            if (!double.IsFinite(anchor.GainDb) || Math.Abs(anchor.GainDb) > Bounds.MaxAnchorGainDb)
            {
                problems.Add($"{label} has a gain of {anchor.GainDb} dB (at most ±{Bounds.MaxAnchorGainDb} dB)");
                continue;
            }
            if (anchor.Levels is { } levels
                && !(levels.QuietestDb >= Dsp.LevelRangeKeeper.FloorDb && levels.QuietestDb <= levels.LoudestDb
                     && levels.LoudestDb <= Bounds.MaxAnchorLevelDb))
            {
                problems.Add($"{label} has levels from {levels.QuietestDb} to {levels.LoudestDb} dB (a range " +
                             $"within {Dsp.LevelRangeKeeper.FloorDb} … {Bounds.MaxAnchorLevelDb} dB)");
                continue;
            }
            if (anchor.Levels?.QuietestSecondDb is double second
                && !(second >= Dsp.LevelRangeKeeper.FloorDb && second <= anchor.Levels.LoudestDb))
            {
                problems.Add($"{label} has a quietest second of {second} dB (within {Dsp.LevelRangeKeeper.FloorDb} dB " +
                             $"… its loudest level, {anchor.Levels.LoudestDb} dB)");
                continue;
            }
            if (anchor.Spectrum is { } spectrum
                && !(ValidCorrection(spectrum.ReplayDb) && ValidCorrection(spectrum.NoteDb)))
            {
                problems.Add($"{label} has a spectrum correction that is not " +
                             $"{Evaluation.MelPowerSpectrogram.Features.Mels} bands within " +
                             $"±{Bounds.MaxSpectrumCorrectionDb} dB");
                continue;
            }
            decoded.Add(new AnchorTokens(anchor.Name, anchor.TimeSteps, tokens, anchor.GainDb, anchor.Levels,
                                         anchor.Spectrum));
        }
        return decoded.ToArray();
    }

    static bool ValidCorrection(double[]? bands) =>
        bands is { Length: var n } && n == Evaluation.MelPowerSpectrogram.Features.Mels
        && bands.All(db => Math.Abs(db) <= Bounds.MaxSpectrumCorrectionDb);
}
