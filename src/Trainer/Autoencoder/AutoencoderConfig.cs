namespace Distill.Trainer.Autoencoder;

/// <summary>Shape of the RVQ autoencoder. The encoder halves time and mel frequency
/// <see cref="DownStages"/> times (4 → 16×): 128 mels → 8 frequency positions; 93.75 frames/s →
/// ~5.9 time steps/s (~171 ms each).</summary>
public sealed record AutoencoderConfig
{
    public int Mels { get; init; } = 128;
    public int StftBins { get; init; } = 1025;
    public int StemChannels { get; init; } = 16;
    public int[] StageChannels { get; init; } = { 32, 64, 128, 128 };
    public int LatentDim { get; init; } = 64;
    public int Levels { get; init; } = 4;
    public int CodebookSize { get; init; } = 64;
    public double EmaDecay { get; init; } = 0.8;
    public double DeadCodeThreshold { get; init; } = 1.0;
    public double Commitment { get; init; } = 0.25;
    public double QuantizeDropout { get; init; } = 0.5;
    /// <summary>Channels per mel band fed to the linear-STFT head.</summary>
    public int StftHeadChannels { get; init; } = 4;

    public int DownStages => StageChannels.Length;
    public int Downsampling => 1 << DownStages;
    public int FrequencyPositions => Mels / Downsampling;
}
