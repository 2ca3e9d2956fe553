namespace Distill.Runtime.Dsp;

/// <summary>
/// Keeps a signal's short-term level inside a range (a note inside its anchor's own levels): a prior that drifts quiet
/// or loud a few steps at a time is brought back by a smooth gain, while whatever the range allows — the sound's own
/// swells and decays — passes untouched, bit for bit. Feed-forward: the level is measured on the input over the last
/// <see cref="WindowBlocks"/> whole blocks, and the gain that would bring it to the nearer edge of the range (at most
/// <see cref="MaxBoostDb"/> up, <see cref="MaxCutDb"/> down: a note that went nearly silent is not blown up into its
/// noise floor) is approached with a time constant of <see cref="SmoothingSeconds"/>, ramped across each block. The
/// window lags what is heard now, so the gain never takes the block heard now past the range's other edge either: a
/// boost for a quiet stretch ends as the sound comes back, instead of pushing its return above the loudest window.
/// Nothing acts before a whole window after the first <see cref="SkipBlocks"/> has been heard (a note's attack is its
/// own, and a decoder's first step from silence is no level of the sound). A second floor holds on the last
/// <see cref="LongWindowSeconds"/>: a quarter second may dip to the clip's quietest quarter (a bird's silence between
/// chirps), but a whole second may not sink below the clip's quietest second (a stretch of those silences strung
/// together, which the clip never has): while it is below, the quarters below that level are lifted to it. Allocates
/// nothing and cannot throw after construction.
/// </summary>
public sealed class LevelRangeKeeper
{
    /// <summary>The level's window: short enough to catch a dip before a whole second sinks with it, long enough that
    /// an eventful sound's own gaps set a wide range and pass. On the demo world's notes (48, 30 s), windows of 0.25 /
    /// 0.5 / 1 s kept 25 / 17 / 13 within their originals' 1 s range ± 3 dB (10 without), at the same spectral
    /// distance and clicks.</summary>
    public const double WindowSeconds = 0.25;

    /// <summary>The second floor's window: the span over which data.md measures a note's level.</summary>
    public const double LongWindowSeconds = 1;

    public const double MaxBoostDb = 12, MaxCutDb = 24, SmoothingSeconds = 0.05;

    /// <summary>Levels <see cref="WindowLevelsDb"/> reports are floored here, so digital silence has a finite level.
    /// </summary>
    public const double FloorDb = -200;

    /// <summary>A gain nearer 0 dB than this is 0 dB: float rounding in the level leaves no trace on the signal.
    /// </summary>
    const double SnapDb = 1e-3;

    readonly double[] energies;     // Σx² of each of the last LongWindowBlocks blocks, a ring
    readonly double smoothing;      // the one-pole's coefficient per block
    readonly int blockSize;
    long blocks;                    // blocks heard since Reset
    double gainDb;

    /// <param name="blockSize">Samples per <see cref="Process"/> call.</param>
    /// <param name="skipBlocks">Blocks at the start that no judged window holds.</param>
    public LevelRangeKeeper(double sampleRate, int blockSize, int skipBlocks)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockSize);
        ArgumentOutOfRangeException.ThrowIfNegative(skipBlocks);
        this.blockSize = blockSize;
        SkipBlocks = skipBlocks;
        WindowBlocks = WindowBlocksFor(sampleRate, blockSize, WindowSeconds);
        LongWindowBlocks = Math.Max(WindowBlocks, WindowBlocksFor(sampleRate, blockSize, LongWindowSeconds));
        energies = new double[LongWindowBlocks];
        smoothing = Math.Exp(-blockSize / (SmoothingSeconds * sampleRate));
    }

    /// <summary>Whole blocks in the measured window (the nearest count to <see cref="WindowSeconds"/>).</summary>
    public int WindowBlocks { get; }

    /// <summary>Whole blocks in the second floor's window (the nearest count to <see cref="LongWindowSeconds"/>).
    /// </summary>
    public int LongWindowBlocks { get; }

    public int SkipBlocks { get; }

    static int WindowBlocksFor(double sampleRate, int blockSize, double seconds) =>
        Math.Max(1, (int)Math.Round(seconds * sampleRate / blockSize));

    public void Reset()
    {
        Array.Clear(energies);
        blocks = 0;
        gainDb = 0;
    }

    /// <summary>Applies the gain to one block of <see cref="LevelRangeKeeper(double, int, int)"/>'s block size in
    /// place, keeping the level within [<paramref name="quietestDb"/>, <paramref name="loudestDb"/>] (dB of RMS,
    /// finite, the first at most the second: manifest validation sees to an anchor's), and the last second's level at
    /// or above <paramref name="quietestSecondDb"/> (negative infinity: no such floor).</summary>
    public void Process(Span<float> block, double quietestDb, double loudestDb,
                        double quietestSecondDb = double.NegativeInfinity)
    {
        double energy = Energy(block);
        energies[blocks++ % LongWindowBlocks] = energy;
        double target = 0;
        if (blocks >= SkipBlocks + WindowBlocks)
        {
            double levelDb = LevelDb(RecentEnergy(WindowBlocks), (double)WindowBlocks * blockSize);
            if (levelDb < quietestDb) target = Math.Min(quietestDb - levelDb, MaxBoostDb);
            else if (levelDb > loudestDb) target = Math.Max(loudestDb - levelDb, -MaxCutDb);
            // While the last second is below the clip's quietest, the quarter heard now is lifted to that level, never
            // above it: lulls strung closer than the sound's own are lifted whole (lifting them by the second's own
            // shortfall left the second short), and the sound's return after a lull is not pumped by the lull's boost.
            if (target >= 0 && LastSecondDb < quietestSecondDb) // NaN (no whole second yet): false
                target = Math.Max(target, Math.Min(quietestSecondDb - levelDb, MaxBoostDb));
        }
        double previous = gainDb;
        gainDb = target + (previous - target) * smoothing;
        // The block heard now is never taken past the range's other edge: a boost ends within a block as the sound
        // returns (a ramp: a jump would click).
        double nowDb = LevelDb(energy, block.Length);
        if (gainDb > 0) gainDb = Math.Min(gainDb, Math.Max(0, loudestDb - nowDb));
        else if (gainDb < 0) gainDb = Math.Max(gainDb, Math.Min(0, quietestDb - nowDb));
        if (Math.Abs(gainDb) < SnapDb) gainDb = 0;
        if (previous == 0 && gainDb == 0) return;
        float from = (float)Math.Pow(10, previous / 20), to = (float)Math.Pow(10, gainDb / 20);
        float step = (to - from) / block.Length;
        for (int i = 0; i < block.Length; i++) block[i] *= from + step * (i + 1);
    }

    /// <summary>The level (dB of RMS) of the last second given to <see cref="Process"/>, before its gain; NaN until
    /// a whole second after the skipped blocks has been given.</summary>
    public double LastSecondDb => blocks >= SkipBlocks + LongWindowBlocks
        ? LevelDb(RecentEnergy(LongWindowBlocks), (double)LongWindowBlocks * blockSize)
        : double.NaN;

    /// <summary>Σx² of the last <paramref name="count"/> blocks heard.</summary>
    double RecentEnergy(int count)
    {
        double sum = 0;
        for (long b = blocks - count; b < blocks; b++) sum += energies[b % LongWindowBlocks];
        return sum;
    }

    /// <summary>The level (dB of RMS) of every window <see cref="Process"/> judges in <paramref name="audio"/> given
    /// in blocks of <paramref name="blockSize"/>: the last <see cref="WindowBlocks"/> whole blocks at each block's end
    /// (<see cref="LongWindowBlocks"/> with <paramref name="seconds"/> = <see cref="LongWindowSeconds"/>), none of the
    /// first <paramref name="skipBlocks"/>; all blocks after those of a clip too short for one window. Their extremes
    /// are the range within which a replay of the clip passes untouched.</summary>
    public static double[] WindowLevelsDb(ReadOnlySpan<float> audio, double sampleRate, int blockSize, int skipBlocks,
                                          double seconds = WindowSeconds)
    {
        int window = WindowBlocksFor(sampleRate, blockSize, seconds);
        // A clip no longer than the skip keeps all of its blocks rather than none.
        if (audio.Length / blockSize <= skipBlocks) skipBlocks = 0;
        var energies = new double[audio.Length / blockSize - skipBlocks];
        for (int b = 0; b < energies.Length; b++)
            energies[b] = Energy(audio.Slice((skipBlocks + b) * blockSize, blockSize));
        double Floored(double energy, int blocks) =>
            Math.Max(FloorDb, LevelDb(energy, (double)Math.Max(1, blocks) * blockSize));
        if (energies.Length < window) return [Floored(energies.Sum(), energies.Length)];
        var levels = new double[energies.Length - window + 1];
        for (int start = 0; start < levels.Length; start++)
        {
            double sum = 0;
            foreach (double e in energies.AsSpan(start, window)) sum += e;
            levels[start] = Floored(sum, window);
        }
        return levels;
    }

    /// <summary>Σx² in double, as both the keeper and the levels it is given measure a block.</summary>
    static double Energy(ReadOnlySpan<float> block)
    {
        double energy = 0;
        foreach (float x in block) energy += (double)x * x;
        return energy;
    }

    static double LevelDb(double energy, double samples) => 10 * Math.Log10(energy / samples);
}
