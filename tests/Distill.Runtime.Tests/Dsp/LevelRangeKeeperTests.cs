using Distill.Runtime.Dsp;
using Xunit.Abstractions;

namespace Distill.Tests.Dsp;

public class LevelRangeKeeperTests(ITestOutputHelper output)
{
    const int Rate = 48000, Block = 512, Skip = 16;

    /// <summary>A 1 kHz sine whose RMS is <paramref name="rmsDb"/> (amplitude √2 times the RMS).</summary>
    static float[] Sine(double rmsDb, double seconds)
    {
        double amplitude = Math.Sqrt(2) * Math.Pow(10, rmsDb / 20);
        var x = new float[(int)(seconds * Rate) / Block * Block];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(amplitude * Math.Sin(2 * Math.PI * 1000 * i / Rate));
        return x;
    }

    static double RmsDb(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x) sum += (double)v * v;
        return 10 * Math.Log10(sum / x.Length);
    }

    static float[] Kept(float[] input, double quietestDb, double loudestDb)
    {
        var keeper = new LevelRangeKeeper(Rate, Block, Skip);
        var y = (float[])input.Clone();
        for (int at = 0; at < y.Length; at += Block) keeper.Process(y.AsSpan(at, Block), quietestDb, loudestDb);
        return y;
    }

    [Fact]
    public void ASignalWithinTheRangePassesBitForBit()
    {
        var x = Sine(-20, 4);
        Assert.Equal(x, Kept(x, -25, -15));
    }

    /// <summary>After settling, the last second sits at the nearer edge of the range, or as near as the gain's
    /// limits allow.</summary>
    [Theory]
    [InlineData(-30, -20)]  // 10 dB up to the floor
    [InlineData(-40, -28)]  // 20 dB short of it: 12 dB up at most
    [InlineData(-5, -10)]   // 5 dB down to the ceiling
    [InlineData(-2, -10)]
    public void TheLastSecondSettlesAtTheNearerEdge(double inputDb, double expectedDb)
    {
        var y = Kept(Sine(inputDb, 5), -20, -10);
        double lastSecond = RmsDb(y.AsSpan(y.Length - Rate));
        output.WriteLine($"{inputDb} dB in → {lastSecond:F3} dB over the last second");
        Assert.Equal(expectedDb, lastSecond, 0.05);
    }

    [Fact]
    public void NothingActsBeforeTheFirstWholeWindowAfterTheSkip()
    {
        var keeper = new LevelRangeKeeper(Rate, Block, Skip);
        var x = Sine(-40, 4);
        var y = Kept(x, -20, -10);
        int untouched = (Skip + keeper.WindowBlocks - 1) * Block;
        Assert.Equal(x.AsSpan(0, untouched).ToArray(), y.AsSpan(0, untouched).ToArray());
        Assert.NotEqual(x[untouched + Block - 1], y[untouched + Block - 1]);
    }

    /// <summary>On a constant signal the output is the gain itself: it rises without a step, never past its limit.
    /// </summary>
    [Fact]
    public void TheGainRampsSmoothlyWithinItsLimit()
    {
        var x = new float[5 * Rate / Block * Block];
        Array.Fill(x, 1e-3f); // −60 dB, far below the floor
        var y = Kept(x, -20, -10);
        double largestStepDb = 0, previous = 0;
        foreach (float v in y)
        {
            double gainDb = 20 * Math.Log10(v / 1e-3);
            Assert.True(gainDb >= previous - 1e-9, "the gain only rises toward its target");
            largestStepDb = Math.Max(largestStepDb, gainDb - previous);
            previous = gainDb;
        }
        output.WriteLine($"final gain {previous:F3} dB, largest step between samples {largestStepDb:E2} dB");
        Assert.True(largestStepDb < 0.01);
        Assert.Equal(LevelRangeKeeper.MaxBoostDb, previous, 0.05);
        Assert.True(previous <= LevelRangeKeeper.MaxBoostDb + 1e-4);
    }

    /// <summary>The last second lags: when a quiet stretch ends, its boost must not push the sound's return above the
    /// loudest second — it ramps down within the return's first block.</summary>
    [Fact]
    public void ABoostEndsAsTheSoundReturns()
    {
        var quiet = Sine(-40, 3);
        var loud = Sine(-11, 2);
        var y = Kept([.. quiet, .. loud], -20, -10);
        double Loudest(int from)
        {
            double loudest = double.MinValue;
            for (int at = from; at + Rate / 10 <= y.Length; at += Block)
                loudest = Math.Max(loudest, RmsDb(y.AsSpan(at, Rate / 10)));
            return loudest;
        }
        double withRamp = Loudest(quiet.Length), after = Loudest(quiet.Length + Block);
        output.WriteLine($"loudest 100 ms from the return: {withRamp:F2} dB, from its second block: {after:F2} dB " +
                         "(the input's: -11; the boost before it: 12 dB)");
        Assert.True(withRamp <= -10 + 2, $"{withRamp:F2} dB");
        Assert.True(after <= -10 + 0.01, $"{after:F2} dB");
    }

    [Fact]
    public void WindowLevelsOfASineAreItsRms()
    {
        var levels = LevelRangeKeeper.WindowLevelsDb(Sine(-17, 3), Rate, Block, Skip);
        int window = new LevelRangeKeeper(Rate, Block, Skip).WindowBlocks;
        Assert.Equal(3 * Rate / Block - Skip - window + 1, levels.Length);
        Assert.All(levels, level => Assert.Equal(-17, level, 0.01));
    }

    [Fact]
    public void WindowLevelsLeaveTheSkippedBlocksOut()
    {
        var x = Sine(-30, 3);
        for (int i = 0; i < Skip * Block; i++) x[i] *= 100; // a burst 40 dB up in the skipped blocks only
        var levels = LevelRangeKeeper.WindowLevelsDb(x, Rate, Block, Skip);
        Assert.Equal(-30, levels.Max(), 0.01);
        // Shorter than the skip and a window: one level for the whole clip.
        var shortClip = Sine(-12, 0.1);
        Assert.Equal(-12, Assert.Single(LevelRangeKeeper.WindowLevelsDb(shortClip, Rate, Block, Skip)), 0.05);
        Assert.Equal(LevelRangeKeeper.FloorDb,
                     Assert.Single(LevelRangeKeeper.WindowLevelsDb(new float[4 * Block], Rate, Block, Skip)));
    }

    /// <summary>The export's promise: a clip kept within the extremes of its own window levels is not touched — a
    /// note at variation 0 plays exactly as the replay that measured them.</summary>
    [Fact]
    public void AClipKeptWithinItsOwnWindowLevelsIsUntouched()
    {
        var random = new Random(7);
        var x = new float[6 * Rate / Block * Block];
        for (int i = 0; i < x.Length; i++)
        {
            double envelope = 0.05 + 0.3 * Math.Exp(-(i % (2 * Rate)) / (0.4 * Rate)); // a decaying hit every 2 s
            x[i] = (float)(envelope * (random.NextDouble() - 0.5));
        }
        var levels = LevelRangeKeeper.WindowLevelsDb(x, Rate, Block, Skip);
        output.WriteLine($"window levels {levels.Min():F2} … {levels.Max():F2} dB");
        Assert.True(levels.Max() - levels.Min() > 3);
        Assert.Equal(x, Kept(x, levels.Min(), levels.Max()));
    }
}
