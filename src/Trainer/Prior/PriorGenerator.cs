using Distill.Runtime.Sampling;
using Distill.Trainer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Distill.Trainer.Prior;

/// <summary>What to generate: sampling controls, per-level temperature multipliers, seed, and an
/// optional anchor whose opening the prior continues.</summary>
public sealed record GenerationRequest(int TimeSteps, SamplingSettings Sampling, float[] LevelTemperature, ulong Seed,
                                       CodeSequence? Anchor = null, int PrimeSteps = 4);

/// <summary>
/// Autoregressive generation with the key/value cache, sliding a window of the training context
/// so any length can be generated. With an anchor, its first time steps are fed as they are and the
/// prior continues from there; without one, it starts from the start token.
/// </summary>
public static class PriorGenerator
{
    /// <returns>Tokens [TimeSteps · tokens per step], flattened time → frequency → level.</returns>
    public static long[] Generate(CodePrior prior, GenerationRequest request)
    {
        using var noGrad = torch.no_grad();
        prior.eval();
        var c = prior.Config;
        int total = request.TimeSteps * c.TokensPerStep;
        int primed = request.Anchor is { } a ? Math.Min(Math.Min(request.PrimeSteps, a.TimeSteps), request.TimeSteps) * c.TokensPerStep : 0;
        var tokens = new long[total];
        var sampler = new TokenSampler(c.CodebookSize, request.Seed);
        var cache = new PriorCache(c.Layers);
        var logits = new float[c.CodebookSize];
        long previous = 0;
        for (int i = 0; i < total; i++)
        {
            using var scope = torch.NewDisposeScope();
            var next = prior.Step(Tensors.Copy(new[] { previous }), cache);
            if (i < primed)
            {
                tokens[i] = request.Anchor!.Tokens[i];
            }
            else
            {
                next.data<float>().CopyTo(logits, 0);
                tokens[i] = sampler.Sample(logits, request.Sampling, request.LevelTemperature[c.LevelOf(i)]);
            }
            previous = tokens[i];
        }
        return tokens;
    }
}
