using Distill.Runtime.Bundle;

namespace Distill.Runtime.Engine;

/// <summary>
/// What the prior is told about the sound it continues (<c>anchor_histogram</c> of <c>prior_step.onnx</c>): each
/// level's code counts over an anchor's tokens, normalised to sum 1 per level, laid out level · codebook + code.
/// All zeros means "no anchor" (the prior then runs unconditioned). The trainer computes the same vector from a
/// part of each training clip, so one formula serves training, validation and every runtime.
/// </summary>
public static class AnchorHistogram
{
    /// <summary>Writes the histogram of <paramref name="tokens"/> (flattened time → frequency → level, so token i
    /// has level i mod <paramref name="levels"/>) into <paramref name="histogram"/> [levels · codebookSize]. Empty
    /// tokens give all zeros.</summary>
    public static void Compute(ReadOnlySpan<long> tokens, int levels, int codebookSize, Span<float> histogram)
    {
        if (histogram.Length != levels * codebookSize)
            throw new ArgumentException($"histogram holds {histogram.Length} values, not {levels}·{codebookSize}");
        histogram.Clear();
        for (int i = 0; i < tokens.Length; i++)
        {
            long code = tokens[i];
            if (code >= 0 && code < codebookSize) histogram[i % levels * codebookSize + (int)code] += 1;
        }
        for (int l = 0; l < levels; l++)
        {
            var row = histogram.Slice(l * codebookSize, codebookSize);
            float total = 0;
            foreach (float c in row) total += c;
            if (total > 0) for (int k = 0; k < row.Length; k++) row[k] /= total;
        }
    }

    public static float[] Of(ReadOnlySpan<long> tokens, int levels, int codebookSize)
    {
        var histogram = new float[levels * codebookSize];
        Compute(tokens, levels, codebookSize, histogram);
        return histogram;
    }

    /// <summary>(1 − m)·<paramref name="from"/> + m·<paramref name="to"/>: still a distribution per level.</summary>
    public static void Blend(ReadOnlySpan<float> from, ReadOnlySpan<float> to, float m, Span<float> into)
    {
        for (int i = 0; i < into.Length; i++) into[i] = from[i] + m * (to[i] - from[i]);
    }
}

/// <summary>
/// One voice's condition: the histograms of its anchor and its morph target, computed once per note (no allocation),
/// blended by the morph control into the prior's <c>anchor_histogram</c> input, so morph moves generation between
/// the two sounds on purpose. The primed opening is read under the anchor's own histogram.
/// </summary>
public sealed class AnchorCondition(int levels, int codebookSize)
{
    readonly float[] anchor = new float[levels * codebookSize], target = new float[levels * codebookSize];
    float applied = float.NaN;

    public ReadOnlySpan<float> Anchor => anchor;
    public ReadOnlySpan<float> Target => target;

    public void Start(AnchorTokens anchorTokens, AnchorTokens morphTarget)
    {
        AnchorHistogram.Compute(anchorTokens.Tokens, levels, codebookSize, anchor);
        AnchorHistogram.Compute(morphTarget.Tokens, levels, codebookSize, target);
        applied = float.NaN;
    }

    /// <summary>Writes the blend for <paramref name="morph"/> into the prior's input, unless it is already there.</summary>
    public void Apply(float morph, Span<float> condition)
    {
        morph = Math.Clamp(morph, 0f, 1f);
        if (morph == applied) return;
        AnchorHistogram.Blend(anchor, target, morph, condition);
        applied = morph;
    }
}
