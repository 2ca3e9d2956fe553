using Distill.Runtime.Dsp;
using Distill.Runtime.Engine;

namespace Distill.Tests.Engine;

public class ClipLevelRangeTests
{
    /// <summary>A sine of amplitude 0.5 for 2 s, then 0.05 for 2 s, at a frequency with whole periods in every hop:
    /// the quietest and loudest short-term levels are the two halves' RMS, −9.03 and −29.03 dB, and so is the quietest
    /// second, as the engine's keeper measures a note — so a replay at the clip's own levels passes it untouched.
    /// </summary>
    [Fact]
    public void TheRangeIsTheLoudAndQuietHalvesRmsLevels()
    {
        var features = new FeatureConfig();
        int rate = features.SampleRate, half = 2 * rate;
        double frequency = 4.0 * rate / features.Hop; // four periods per hop
        var audio = new float[2 * half];
        for (int i = 0; i < audio.Length; i++)
            audio[i] = (float)((i < half ? 0.5 : 0.05) * Math.Sin(2 * Math.PI * frequency * i / rate));
        var range = VoiceRenderer.LevelRange(audio, rate, features.Hop);
        Assert.Equal(20 * Math.Log10(0.5 / Math.Sqrt(2)), range.LoudestDb, 2);
        Assert.Equal(20 * Math.Log10(0.05 / Math.Sqrt(2)), range.QuietestDb, 2);
        Assert.Equal(20 * Math.Log10(0.05 / Math.Sqrt(2)), range.QuietestSecondDb!.Value, 2);

        var keeper = new LevelRangeKeeper(rate, features.Hop, VoiceRenderer.KeeperSkipBlocks);
        var heard = (float[])audio.Clone();
        for (int at = 0; at + features.Hop <= heard.Length; at += features.Hop)
            keeper.Process(heard.AsSpan(at, features.Hop), range.QuietestDb, range.LoudestDb, range.QuietestSecondDb!.Value);
        Assert.Equal(audio, heard);
    }

    /// <summary>A strike in the first step (a sine of amplitude 0.5 for its first 100 ms, then 0.05): the loudest is the
    /// level of the keeper's first window (≈ 0.25 s), the strike's mean square 0.125 over 100 ms and the decay's 0.00125
    /// over the rest, though the first step stays out of the quietest; without it a note's later strikes would be cut
    /// down to the decay.</summary>
    [Fact]
    public void TheLoudestCountsAStrikeInTheFirstStep()
    {
        var features = new FeatureConfig();
        int rate = features.SampleRate, strike = rate / 10;
        double frequency = 4.0 * rate / features.Hop;
        var audio = new float[2 * rate];
        for (int i = 0; i < audio.Length; i++)
            audio[i] = (float)((i < strike ? 0.5 : 0.05) * Math.Sin(2 * Math.PI * frequency * i / rate));
        var range = VoiceRenderer.LevelRange(audio, rate, features.Hop);
        int window = new LevelRangeKeeper(rate, features.Hop, 0).WindowBlocks * features.Hop;
        double strikeEnergy = strike * 0.125 + (window - strike) * 0.00125;
        Assert.Equal(10 * Math.Log10(strikeEnergy / window), range.LoudestDb, 2);
        Assert.Equal(20 * Math.Log10(0.05 / Math.Sqrt(2)), range.QuietestDb, 2);
    }
}
