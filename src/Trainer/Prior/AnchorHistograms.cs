using Distill.Runtime.Engine;
using Distill.Trainer.Torch;
using static TorchSharp.torch;

namespace Distill.Trainer.Prior;

/// <summary>
/// The histograms the prior is conditioned on while it learns and is validated. Training: each window's own clip,
/// counted over a random stretch of it (from <see cref="PriorConfig.ConditionMinSteps"/> steps to the whole clip,
/// anywhere), so the prior learns what the sound is rather than which tokens the window holds, and with probability
/// <see cref="PriorConfig.ConditionDropout"/> none at all (zeros), so it also runs unconditioned. Validation: the part
/// of the clip the prior learnt, never the held-out steps it scores.
/// </summary>
public static class AnchorHistograms
{
    public static Tensor ForTraining(IEnumerable<CodeSequence> clips, PriorConfig c, Random random)
    {
        var rows = clips.Select(s =>
        {
            var h = new float[c.Levels * c.CodebookSize];
            if (random.NextDouble() < c.ConditionDropout) return h;
            int min = Math.Min(c.ConditionMinSteps, s.TimeSteps);
            int steps = min + random.Next(s.TimeSteps - min + 1);
            int start = random.Next(s.TimeSteps - steps + 1);
            AnchorHistogram.Compute(s.Tokens.AsSpan(start * c.TokensPerStep, steps * c.TokensPerStep), c.Levels,
                                    c.CodebookSize, h);
            return h;
        }).ToArray();
        return Stack(rows, c);
    }

    /// <summary>Each window's clip as far as the prior learnt it (<see cref="TimeSplit.Head"/>): validation asks how
    /// it continues a sound it knows, and never counts the answer.</summary>
    public static Tensor ForValidation(IEnumerable<ScoredWindow> windows, PriorConfig c) =>
        Stack(windows.Select(w => AnchorHistogram.Of(TimeSplit.HeadTokens(w.Clip), c.Levels, c.CodebookSize)).ToArray(),
              c);

    /// <summary>The whole clip's histogram, as the engine computes it for an anchor: [1, L·K].</summary>
    public static Tensor Whole(CodeSequence clip, PriorConfig c) =>
        Stack([AnchorHistogram.Of(clip.Tokens, c.Levels, c.CodebookSize)], c);

    static Tensor Stack(float[][] rows, PriorConfig c)
    {
        int n = c.Levels * c.CodebookSize;
        var flat = new float[rows.Length * n];
        for (int i = 0; i < rows.Length; i++) rows[i].CopyTo(flat, i * n);
        return Tensors.Copy(flat, rows.Length, n);
    }
}
