using Distill.Runtime.Bundle;
using Distill.Runtime.Dsp;
using Xunit.Abstractions;

namespace Distill.Tests.Bundle;

/// <summary>
/// Manifests whose every derived field is recomputed from the rest (steps per second, tokens per step, context
/// tokens, cache slots, anchors of the right length, member digests), drawn from values at and beyond the edges of
/// what the engine supports. Each is rejected with <see cref="InvalidWorldException"/> or accepted; an accepted one
/// must be cheap to play: its phase reconstructor builds and renders, its prior cache is bounded.
/// </summary>
public class ConsistentManifestFuzzTests(ITestOutputHelper output)
{
    static readonly WorldGraphFiles Models = SyntheticBundle.Models();
    static readonly WorldManifest Valid = SyntheticBundle.Manifest(Models);

    /// <summary>A self-consistent manifest, or null when its anchors alone would not fit a bundle. Half the draws take
    /// each value from a plausible range (so many are accepted), half from anywhere, edges and beyond included.</summary>
    static WorldManifest? Draw(Random random)
    {
        bool wild = random.Next(2) == 0;
        T Pick<T>(T[] plausible, T[] beyond) => wild && random.Next(2) == 0 ? beyond[random.Next(beyond.Length)] : plausible[random.Next(plausible.Length)];
        int rate = Pick([8000, 22050, 44100, 48000, 96000, 192000], [1, 7999, 192001, 1_000_000, int.MaxValue]);
        int nFft = Pick([256, 512, 1024, 2048, 4096, 16384], [1, 2, 64, 32768, 1 << 30]);
        int hop = Math.Max(1, Pick([nFft / 8, nFft / 4, nFft / 2], [1, 3, nFft / 16, nFft, nFft * 2 > 0 ? nFft * 2 : nFft]));
        int mels = Math.Max(1, Pick([8, 64, 128, Math.Min(1024, nFft / 2 + 1)], [1, 1025, nFft / 2 + 2]));
        int[] divisors = Enumerable.Range(1, Math.Min(mels, 64)).Where(d => mels % d == 0).ToArray();
        int positions = divisors[random.Next(divisors.Length)];
        int levels = Pick([1, 4, 32], [33, 1000]);
        int codebook = Pick([1, 64, 65536], [65536]);
        int heads = Pick([1, 4], [64]), headDim = Pick([2, 16, 64], [1024]), layers = Pick([1, 2, 6], [64, 65]);
        int contextSteps = Pick([1, 8, 32], [256, 4096, 1 << 20]);
        long tokensPerStep = (long)positions * levels, contextTokens = contextSteps * tokensPerStep;
        if (tokensPerStep > 1 << 16 || contextTokens > int.MaxValue) return null;
        var codes = AnchorCodes.Encode(Enumerable.Range(0, (int)tokensPerStep).Select(i => (long)(i % codebook)).ToArray());
        return Valid with
        {
            Audio = Valid.Audio with { SampleRate = rate, NFft = nFft, Hop = hop, Mels = mels, FMin = 0, FMax = rate / 2.0 },
            Grid = new GridShape(positions, 16, (double)rate / hop / 16),
            Quantizer = new QuantizerShape(levels, codebook, Pick([1, 32, 8192], [8193])),
            Prior = new PriorShape(heads * headDim, layers, heads, headDim, contextSteps, (int)tokensPerStep, (int)contextTokens, (int)contextTokens - 1, 10000),
            Training = Valid.Training with { CodebookHealth = [], PriorBits = [], UnigramBits = [] },
            Anchors = [new Anchor("a", 1, codes), new Anchor("b", 1, codes)],
        };
    }

    [Fact]
    public void EveryConsistentManifestIsRejectedOrCheapToPlay()
    {
        var random = new Random(120);
        int accepted = 0, skipped = 0;
        var reasons = new Dictionary<string, int>();
        for (int i = 0; i < 400; i++)
        {
            if (Draw(random) is not { } manifest) { skipped++; continue; }
            var a = manifest.Audio;
            string label = $"case {i}: {a.SampleRate} Hz, FFT {a.NFft}, hop {a.Hop}, {a.Mels} mels, {manifest.Grid.FrequencyPositions}×{manifest.Quantizer.Levels} tokens/step, prior {manifest.Prior.Layers}×{manifest.Prior.Hidden}×{manifest.Prior.ContextTokens}";
            var bytes = SyntheticBundle.Bundle(manifest, Models);
            var bundle = HangGuard.Run(label, () =>
            {
                try { return SyntheticBundle.Read(bytes); }
                catch (InvalidWorldException e)
                {
                    foreach (var p in e.Problems) reasons[p.Split(' ')[0]] = reasons.GetValueOrDefault(p.Split(' ')[0]) + 1;
                    return null;
                }
            });
            if (bundle is null) continue;
            accepted++;
            var p = bundle.Manifest.Prior;
            Assert.True((long)p.Layers * p.CacheSlots * p.Hidden <= 1L << 26, $"{label}: accepted with a prior cache of {(long)p.Layers * p.CacheSlots * p.Hidden} floats");
            Assert.InRange(a.NFft / a.Hop, 2, 8);
            HangGuard.Run(label, () =>
            {
                // A tenth of a second of audio through the engine's phase reconstruction at the world's own sizes.
                var phase = new StreamingPhaseReconstructor(a.NFft, a.Hop);
                int frames = Math.Max(1, a.SampleRate / 10 / a.Hop);
                var audio = new float[frames * a.Hop];
                phase.Push(Enumerable.Repeat(0.01f, frames * phase.Bins).ToArray(), audio);
                Assert.All(audio, v => Assert.True(float.IsFinite(v)));
                return 0;
            });
        }
        output.WriteLine($"{400 - skipped} consistent manifests ({skipped} more drawn too large to build): {accepted} accepted and played, {400 - skipped - accepted} rejected");
        foreach (var (field, count) in reasons.OrderByDescending(r => r.Value)) output.WriteLine($"  {count,4} × {field}");
        Assert.True(accepted >= 50, $"only {accepted} accepted");
        Assert.True(400 - skipped - accepted >= 100);
    }
}
