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

    static float[] Kept(float[] input, double quietestDb, double loudestDb,
                        double quietestSecondDb = double.NegativeInfinity)
    {
        var keeper = new LevelRangeKeeper(Rate, Block, Skip);
        var y = (float[])input.Clone();
        for (int at = 0; at < y.Length; at += Block)
            keeper.Process(y.AsSpan(at, Block), quietestDb, loudestDb, quietestSecondDb);
        return y;
    }

    /// <summary>The levels a clip's replay is kept within: its quarter seconds', and its quietest second.</summary>
    static (double[] Quarters, double QuietestSecond) Levels(float[] clip) =>
        (LevelRangeKeeper.WindowLevelsDb(clip, Rate, Block, Skip),
         LevelRangeKeeper.WindowLevelsDb(clip, Rate, Block, Skip, LevelRangeKeeper.LongWindowSeconds).Min());

    /// <summary>A sound at −20 dB with a lull at −30 dB a quarter second long every half second: its quietest quarter
    /// is the lull's level, its quietest second about −23 dB.</summary>
    static float[] Gappy(double seconds)
    {
        var x = Sine(-20, seconds);
        int half = Rate / 2, quarter = Rate / 4;
        for (int i = 0; i < x.Length; i++)
            if (i % half >= quarter) x[i] *= (float)Math.Pow(10, -10 / 20.0);
        return x;
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

    /// <summary>The second floor: lulls as long as the sound's own pass, a lull of three seconds is lifted to the
    /// sound's quietest second, and the sound's return after it is not pushed above itself by the lull's boost.
    /// </summary>
    [Fact]
    public void ASecondBelowTheQuietestSecondIsLiftedAndItsReturnIsNot()
    {
        var clip = Gappy(6);
        var (quarters, quietestSecond) = Levels(clip);
        output.WriteLine($"the sound's quarters {quarters.Min():F2} … {quarters.Max():F2} dB, quietest second " +
                         $"{quietestSecond:F2} dB");
        Assert.InRange(quietestSecond - quarters.Min(), 5, 9);
        Assert.Equal(clip, Kept(clip, quarters.Min(), quarters.Max(), quietestSecond));

        // Two seconds of the sound, three of the lull alone, three of the sound again.
        var lull = Sine(-30, 3);
        int Whole(int seconds) => seconds * Rate / Block * Block;
        float[] note = [.. clip.AsSpan(0, Whole(2)), .. lull, .. clip.AsSpan(0, Whole(3))];
        var y = Kept(note, quarters.Min(), quarters.Max(), quietestSecond);
        var withoutSecondFloor = Kept(note, quarters.Min(), quarters.Max());
        int returns = Whole(2) + lull.Length;
        double lullEnd = RmsDb(y.AsSpan(returns - Rate, Rate));
        output.WriteLine($"the lull's last second: {lullEnd:F2} dB (in: -30, without the second floor: " +
                         $"{RmsDb(withoutSecondFloor.AsSpan(returns - Rate, Rate)):F2})");
        Assert.Equal(quietestSecond, lullEnd, 0.05);
        Assert.Equal(-30, RmsDb(withoutSecondFloor.AsSpan(returns - Rate, Rate)), 0.05);

        double largestRise = double.MinValue;
        for (int at = returns; at + Rate / 10 <= returns + Rate; at += Block)
            largestRise = Math.Max(largestRise, RmsDb(y.AsSpan(at, Rate / 10)) - RmsDb(note.AsSpan(at, Rate / 10)));
        output.WriteLine($"largest lift of a 100 ms window in the return's first second: {largestRise:F2} dB");
        // The first block ramps the lull's boost off; while the last second still holds the lull, the return's own
        // dips (its quarters at −30 dB, below the quietest second) are lifted a little.
        Assert.True(largestRise < 3, $"{largestRise:F2} dB");
        int settled = returns + Rate;
        Assert.Equal(note.AsSpan(settled).ToArray(), y.AsSpan(settled).ToArray());
    }

    /// <summary>Lulls shorter than a second, strung closer than the sound's own (one quarter of the sound, three of
    /// a lull at −33 dB): each quarter is within the sound's quarters, but every second is 2.8 dB below its quietest.
    /// The lulls are lifted to the quietest second's level while the second is below it, and the sound's own quarters
    /// pass at their level.</summary>
    [Fact]
    public void LullsStrungCloserThanTheSoundsOwnAreLiftedToItsQuietestSecond()
    {
        var clip = Gappy(6);
        var (quarters, quietestSecond) = Levels(clip);
        var note = Sine(-20, 8);
        int second = Rate / Block * Block, quarter = second / 4;
        for (int i = 0; i < note.Length; i++)
            if (i % second >= quarter) note[i] *= (float)Math.Pow(10, -13 / 20.0);
        var y = Kept(note, quarters.Min(), quarters.Max(), quietestSecond);
        for (int at = 2 * second; at + second <= note.Length; at += second)
        {
            double inDb = RmsDb(note.AsSpan(at, second)), outDb = RmsDb(y.AsSpan(at, second));
            double loudQuarterDb = RmsDb(y.AsSpan(at + quarter / 4, quarter / 2));
            output.WriteLine($"second at {at / (double)Rate:F1} s: {inDb:F2} dB in, {outDb:F2} out; its loud quarter " +
                             $"{loudQuarterDb:F2} dB");
            Assert.Equal(-25.4, inDb, 0.1);
            Assert.InRange(outDb, quietestSecond - 0.5, quarters.Max());
            Assert.Equal(-20, loudQuarterDb, 0.1);
        }
    }

    /// <summary>The keeper tells the level of the last second it was given, before its gain (the level guard maps a
    /// clip's quietest second onto decoded codes by it): none before a whole second after the skip, then the input's,
    /// however much it lifts it.</summary>
    [Fact]
    public void ItTellsTheLastSecondsLevelBeforeItsGain()
    {
        var input = Sine(-40, 3);
        var keeper = new LevelRangeKeeper(Rate, Block, Skip);
        var y = (float[])input.Clone();
        for (int b = 0; b < y.Length / Block; b++)
        {
            keeper.Process(y.AsSpan(b * Block, Block), -20, -10, -20);
            if (b + 1 < Skip + keeper.LongWindowBlocks) Assert.True(double.IsNaN(keeper.LastSecondDb));
        }
        Assert.Equal(-40, keeper.LastSecondDb, 0.01);
        Assert.Equal(-28, RmsDb(y.AsSpan(y.Length - Rate)), 0.01);
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

    /// <summary>The export's promise: a clip kept within the extremes of its own window levels, and above its own
    /// quietest second, is not touched — a note at variation 0 plays exactly as the replay that measured them.
    /// </summary>
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
        var seconds = LevelRangeKeeper.WindowLevelsDb(x, Rate, Block, Skip, LevelRangeKeeper.LongWindowSeconds);
        output.WriteLine($"window levels {levels.Min():F2} … {levels.Max():F2} dB, quietest second {seconds.Min():F2}");
        Assert.True(levels.Max() - levels.Min() > 3);
        Assert.Equal(x, Kept(x, levels.Min(), levels.Max(), seconds.Min()));
    }
}
