using Distill.Trainer.Data;
using Distill.Trainer.Prior;

namespace Distill.Trainer.Pipeline;

/// <summary>Sizes that follow the data: the autoencoder's by the number of usable files (bigger datasets support
/// larger codebooks and slower EMA, more samples per code per step), the prior's by the number of training tokens
/// it learns from (the amount of sound, not how it is cut into files).</summary>
public static class AdaptiveSizing
{
    /// <summary>Prior tiers by the tokens it learns: at the default grid (8 frequency positions × 4 levels × 5.86 steps/s
    /// = 187.5 tokens/s), of which it learns four fifths (<see cref="TimeSplit"/>), about 107 s and 9 min of sound, which
    /// is 20 and 100 files of a typical 4 s with room to spare (up to 27 and 138).</summary>
    public const long SmallPriorTokens = 16_000, MediumPriorTokens = 80_000;

    public static int CodebookSize(int files) => files <= 20 ? 64 : files <= 100 ? 128 : 256;

    public static double EmaDecay(int files) => files <= 20 ? 0.8 : files <= 100 ? 0.9 : 0.95;

    /// <summary>Peak learning rate of the autoencoder: 1e-3 for up to 20 files, 2e-3 above. At 2e-3 the demo corpus
    /// (16 files, its fast 0.8-decay codebooks) sat for its first ~130 steps predicting the mean log-mel (loss 1.03)
    /// with codebooks churning between perplexity 2 and 30, and with a 600-step schedule it collapsed to one code
    /// per level; at 1e-3 it leaves that plateau within 50 steps. The real corpus (79 files) leaves it by step 70 at
    /// 2e-3.</summary>
    public static double LearningRate(int files) => files <= 20 ? 1e-3 : 2e-3;

    /// <summary>Hidden size and layers of the prior for <paramref name="tokens"/> training tokens.</summary>
    public static (int Hidden, int Layers) Prior(long tokens) =>
        tokens <= SmallPriorTokens ? (128, 2) : tokens <= MediumPriorTokens ? (256, 4) : (512, 6);

    /// <summary>Dropout on the prior's attention weights: 0.2 for the smallest tier, whose few tokens it overfits
    /// fastest; none above, where it would cost 2.6× the training time (62.5 against 24.4 s per epoch on the
    /// 79-clip real corpus) for the same validation bits.</summary>
    public static double PriorAttentionDropout(long tokens) => tokens <= SmallPriorTokens ? 0.2 : 0;

    /// <summary>Query heads per key/value head of a prior of <paramref name="hidden"/> units. From 256 units on, all of
    /// them (multi-query attention: one key/value head): there the key/value caches every token of every voice reads
    /// dominate the prior's time (at 512h/6L four voices' caches are 50 MB against 19 MB of int8 weights per call),
    /// and one head makes them 8–16× smaller. The 128-unit prior's caches are small and its time goes to OnnxRuntime's
    /// per-node dispatch, so it keeps a key/value per head.</summary>
    public static int PriorQueriesPerKeyValue(int hidden) => hidden <= 128 ? 1 : hidden / 32;

    /// <summary>Tokens the prior will learn from, known before the clips are encoded: of each clip's
    /// time steps (<see cref="AnchorFrames.Steps"/>), the head it learns (<see cref="TimeSplit.TrainSteps"/>), each of
    /// <paramref name="tokensPerStep"/> tokens.</summary>
    public static long PriorTokens(IEnumerable<int> clipFrames, int downsampling, int tokensPerStep) =>
        clipFrames.Sum(f => (long)TimeSplit.TrainSteps(AnchorFrames.Steps(f, downsampling))) * tokensPerStep;

    /// <summary>Tokens of <paramref name="files"/> typical 4 s files at the default grid (for the benchmark's tiers): 375
    /// frames, 24 steps of 32 tokens each.</summary>
    public static long TypicalTokens(int files) => PriorTokens(Enumerable.Repeat(375, files), 16, 32);

    public static int MinimumFiles => 5;

    /// <summary>Optimizer steps the autoencoder takes at least, whatever the corpus's size: an epoch of a few files is a
    /// few steps, and the demo corpus's 30 epochs (240 steps) left its codebooks at a perplexity of 6 of 64 and its
    /// anchors 25 dB (log-mel) from their originals. At 600 steps the decoders of the demo and the real corpus were
    /// still improving: 1,400 bring the training clips' replays 0.9 dB nearer their clips on both (sharper onsets,
    /// less pulsing at the step rate) for about 9 more minutes of the real corpus's training (README, "Longer
    /// autoencoder training"). From 47 steps an epoch the default 30 epochs are more.</summary>
    public const int MinimumAutoencoderSteps = 1400;

    /// <summary>Default epochs for epochs of <paramref name="stepsPerEpoch"/> steps: <paramref name="epochs"/>, or as
    /// many more as <see cref="MinimumAutoencoderSteps"/> needs.</summary>
    public static int AutoencoderEpochs(int epochs, int stepsPerEpoch) =>
        Math.Max(epochs, (MinimumAutoencoderSteps + stepsPerEpoch - 1) / Math.Max(1, stepsPerEpoch));
}
