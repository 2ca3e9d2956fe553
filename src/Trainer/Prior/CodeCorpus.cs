using Distill.Runtime.Bundle;
using Distill.Trainer.Autoencoder;
using Distill.Trainer.Data;
using Distill.Trainer.Export;
using Distill.Trainer.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Distill.Trainer.Prior;

/// <summary>One clip's codes, flattened time step → frequency position → level (<see cref="AnchorFrames"/>); the clip's
/// mean STFT power, which the world plays its anchor at, and the range of its short-term levels, which its notes are
/// kept in (<see cref="Export.AnchorGains"/>); and its long-term spectrum, which its notes are
/// corrected to (<see cref="Export.AnchorSpectra"/>; 0 and null: unknown).</summary>
public sealed record CodeSequence(string Name, long[] Tokens, int TimeSteps, double Power = 0,
                                  AnchorLevels? Levels = null, double[]? SpectrumDb = null);

/// <summary>
/// The training clips as code sequences from the trained encoder: whole clips, deterministic
/// (no crops, no dropout, no codebook updates), the material the prior learns and the anchors
/// that generation continues from.
/// </summary>
public static class CodeCorpus
{
    public static CodeSequence[] Encode(RvqAutoencoder model, Corpus corpus, FeatureStats stats)
    {
        using var noGrad = torch.no_grad();
        model.eval();
        var m = model.Config;
        // Whole windows only: the crop length is unused.
        var batcher = new CropBatcher(corpus.Clips, stats, m.Mels, m.StftBins, cropFrames: m.Downsampling);
        return corpus.Clips.Select((clip, i) =>
        {
            using var scope = torch.NewDisposeScope();
            using var batch = batcher.Whole(i, m.Downsampling);
            var codes = model.Encode(batch.Mel); // [1, T', F, L]
            return new CodeSequence(clip.Name, codes.reshape(-1).data<long>().ToArray(), (int)codes.shape[1],
                                    AnchorGains.MeanPower<Half>(clip.LogMagnitude), clip.Levels,
                                    AnchorSpectra.ClipSpectrumDb(clip.LogMagnitude));
        }).ToArray();
    }

    /// <summary>Random windows: each a clip and the time step it starts at (anywhere: windows wrap around).</summary>
    public static (CodeSequence Clip, int StartStep)[] PickWindows(IReadOnlyList<CodeSequence> sequences, int steps,
                                                                   int batchSize, Random random) =>
        Enumerable.Range(0, batchSize).Select(_ =>
        {
            var s = sequences[random.Next(sequences.Count)];
            return (s, random.Next(s.TimeSteps));
        }).ToArray();

    /// <summary>Windows as token tensors, each read from its clip as a loop: the engine replays an anchor looping,
    /// and a note outlasts most clips, so the prior learns what follows a clip's end — its beginning — instead of
    /// never seeing anything past it (short clips, padded, taught it nothing there, and notes fell silent).</summary>
    public static (Tensor Inputs, Tensor Targets) Build((CodeSequence Sequence, int StartStep)[] picks, int tokensPerStep,
                                                        int steps)
    {
        int n = steps * tokensPerStep;
        var tokens = new long[picks.Length * n];
        for (int b = 0; b < picks.Length; b++)
        {
            var (s, start) = picks[b];
            for (int i = 0; i < n; i++) tokens[b * n + i] = s.Tokens[((long)start * tokensPerStep + i) % s.Tokens.Length];
        }
        var inputs = Tensors.Copy(tokens, picks.Length, n);
        return (inputs, inputs.clone());
    }

    /// <summary>Entropy in bits of each level's code distribution over the given sequences: what a
    /// model that ignores all context (unigram) scores at best on them.</summary>
    public static double[] UnigramEntropyBits(IReadOnlyList<CodeSequence> sequences, int levels, int codebookSize)
    {
        var counts = new long[levels, codebookSize];
        foreach (var s in sequences)
            for (int i = 0; i < s.Tokens.Length; i++) counts[i % levels, s.Tokens[i]]++;
        return Enumerable.Range(0, levels).Select(l =>
        {
            double total = 0, h = 0;
            for (int k = 0; k < codebookSize; k++) total += counts[l, k];
            for (int k = 0; k < codebookSize; k++)
                if (counts[l, k] > 0) { double p = counts[l, k] / total; h -= p * Math.Log2(p); }
            return h;
        }).ToArray();
    }
}
