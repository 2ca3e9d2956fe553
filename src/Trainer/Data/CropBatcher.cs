using Distill.Trainer.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Distill.Trainer.Data;

/// <summary>A batch of normalised features: log-mel [B, 1, mels, T] and log-magnitude [B, bins, T].</summary>
public sealed record FeatureBatch(Tensor Mel, Tensor LogMagnitude) : IDisposable
{
    public void Dispose() { Mel.Dispose(); LogMagnitude.Dispose(); }
}

/// <summary>
/// Turns clips into fixed-length normalised feature windows: random crops for training
/// (the augmentation), and non-overlapping windows covering every clip for validation.
/// Clips shorter than a window are padded with their own quietest value (silence).
/// </summary>
public sealed class CropBatcher(IReadOnlyList<CorpusClip> clips, FeatureStats stats, int mels, int bins, int cropFrames)
{
    // Each clip's own quietest value, normalised: what padding past its end looks like.
    readonly float[] melPad = clips.Select(c => (c.LogMel.Min() - stats.MelMean) / stats.MelStd).ToArray();
    readonly float[] magPad =
        clips.Select(c => ((float)c.LogMagnitude.Min() - stats.MagnitudeMean) / stats.MagnitudeStd).ToArray();

    public int CropFrames => cropFrames;
    public IReadOnlyList<CorpusClip> Clips => clips;

    /// <summary>
    /// Clip uniformly (short and long files count alike), then a start: the clip's first frame as often as
    /// <see cref="OpeningShare"/> says, otherwise uniform. Uniform starts alone put frame f of an opening in f + 1
    /// crops against a middle frame's <c>crop</c>, and the opening is what every note plays first.
    /// </summary>
    public FeatureBatch Sample(Random random, int batchSize)
    {
        var windows = new (int Clip, int Start)[batchSize];
        for (int b = 0; b < batchSize; b++)
        {
            int c = random.Next(clips.Count);
            int starts = Math.Max(clips[c].Frames - cropFrames, 0) + 1;
            bool opening = random.NextDouble() < OpeningShare(starts, cropFrames);
            windows[b] = (c, opening ? 0 : random.Next(starts));
        }
        return Build(windows);
    }

    /// <summary>
    /// The share of a clip's crops that start at its first frame so that the first frame is in as many crops as a
    /// middle one: p + (1 − p) / starts = (1 − p) · crop / starts. At most <see cref="MaxOpeningShare"/>, so a short
    /// clip's crops do not become copies of its opening.
    /// </summary>
    public static double OpeningShare(int starts, int cropFrames) =>
        starts <= 1 ? 0 : Math.Min(MaxOpeningShare, (cropFrames - 1.0) / (starts + cropFrames - 1.0));

    public const double MaxOpeningShare = 0.25;

    /// <summary>Every clip cut into consecutive windows (the last one padded), in batches.</summary>
    public IEnumerable<FeatureBatch> Windows(int batchSize)
    {
        var all = Enumerable.Range(0, clips.Count)
            .SelectMany(c => Enumerable.Range(0, WindowsIn(clips[c])).Select(i => (c, i * cropFrames))).ToArray();
        for (int i = 0; i < all.Length; i += batchSize)
            yield return Build(all[i..Math.Min(i + batchSize, all.Length)]);
    }

    public int WindowCount => clips.Sum(WindowsIn);

    /// <summary>Clip <paramref name="clip"/> whole, as one window of <see cref="AnchorFrames.Sources"/> (its frames in
    /// whole time steps of <paramref name="framesPerStep"/>): what its anchor's codes are encoded from.</summary>
    public FeatureBatch Whole(int clip, int framesPerStep)
    {
        var sources = AnchorFrames.Sources(clips[clip].Frames, framesPerStep);
        return Build([clip], sources.Length, (_, f) => sources[f]);
    }

    int WindowsIn(CorpusClip c) => Math.Max(1, (c.Frames + cropFrames - 1) / cropFrames);

    FeatureBatch Build((int Clip, int Start)[] windows) =>
        Build([.. windows.Select(w => w.Clip)], cropFrames, (b, f) =>
        {
            int src = windows[b].Start + f;
            return src < clips[windows[b].Clip].Frames ? src : -1;
        });

    /// <summary>Windows of <paramref name="t"/> frames, window b of clip <paramref name="clipOf"/>[b], its frame f read
    /// from the clip's frame <paramref name="source"/>(b, f), or padding where that is −1.</summary>
    FeatureBatch Build(int[] clipOf, int t, Func<int, int, int> source)
    {
        int n = clipOf.Length;
        var mel = new float[n * mels * t];
        var mag = new float[n * bins * t];
        for (int b = 0; b < n; b++)
        {
            int c = clipOf[b];
            var clip = clips[c];
            for (int f = 0; f < t; f++)
            {
                int src = source(b, f);
                bool inside = src >= 0;
                for (int m = 0; m < mels; m++)
                    mel[(b * mels + m) * t + f] =
                        inside ? (clip.LogMel[src * mels + m] - stats.MelMean) / stats.MelStd : melPad[c];
                for (int k = 0; k < bins; k++)
                    mag[(b * bins + k) * t + f] = inside
                        ? ((float)clip.LogMagnitude[src * bins + k] - stats.MagnitudeMean) / stats.MagnitudeStd
                        : magPad[c];

            }
        }
        return new FeatureBatch(Tensors.Copy(mel, n, 1, mels, t), Tensors.Copy(mag, n, bins, t));
    }
}
