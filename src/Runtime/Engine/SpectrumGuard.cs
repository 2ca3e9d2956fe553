using Distill.Runtime.Dsp;

namespace Distill.Runtime.Engine;

/// <summary>
/// Keeps a generated note's spectrum near its anchor's: the mean mel spectrum of the last second of steps may differ
/// from the mean of the steps the note replays from its anchor (the primed opening) by as much as the opening's own
/// seconds do, with room (<see cref="RoomFactor"/>×, at least <see cref="MinimumDb"/>); a step that would take it
/// further strays. The distance is the generation goals' window distance — mean over bands of |dB difference|, floored
/// <see cref="FloorDb"/> below the loudest band — on the decoder's magnitudes. A prior wanders step by step into
/// another sound; judged on a second, one odd step is variation, a run of them is drift.
/// </summary>
public sealed class SpectrumGuard
{
    public const int Bands = 32, WindowSteps = 6;
    public const double RoomFactor = 1.5, MinimumDb = 6, FloorDb = 80;

    readonly MelFilterbank bank;
    readonly int bins;
    readonly float[] power, mel;    // one frame
    readonly double[][] learnt;     // band power of each replayed step
    readonly double[][] recent;     // band power of the last WindowSteps steps heard, a ring
    readonly double[] reference, candidate, mean;
    int learntSteps, keptSteps;
    double allowed;                 // the largest distance allowed (NaN until judged)
    double floor;                   // band power floor

    /// <param name="learnSteps">How many steps <see cref="Learn"/> may be given (the primed opening's).</param>
    public SpectrumGuard(int sampleRate, int nFft, int learnSteps)
    {
        bank = new MelFilterbank(sampleRate, nFft, Bands, 0, sampleRate / 2.0);
        bins = nFft / 2 + 1;
        power = new float[bins];
        mel = new float[Bands];
        learnt = NewSteps(learnSteps);
        recent = NewSteps(WindowSteps);
        reference = new double[Bands]; candidate = new double[Bands]; mean = new double[Bands];
        Reset();
    }

    static double[][] NewSteps(int steps) => Enumerable.Range(0, steps).Select(_ => new double[Bands]).ToArray();

    public void Reset()
    {
        learntSteps = keptSteps = 0;
        allowed = double.NaN;
    }

    /// <summary>A step of the anchor itself (linear magnitude frames): it sets the reference, and is heard.</summary>
    public void Learn(ReadOnlySpan<float> magnitudes)
    {
        if (learntSteps == learnt.Length) return;
        BandPower(magnitudes, learnt[learntSteps++]);
        Keep(magnitudes);
    }

    /// <summary>Whether a generated step would take the last second's spectrum further from the anchor's than
    /// allowed. Nothing strays before anything was learnt.</summary>
    public bool Strays(ReadOnlySpan<float> magnitudes)
    {
        BandPower(magnitudes, candidate);
        if (learntSteps == 0) return false;
        if (double.IsNaN(allowed)) FixReference();
        int previous = Math.Min(keptSteps, WindowSteps - 1);
        Array.Copy(candidate, mean, Bands);
        for (int s = 1; s <= previous; s++)
        {
            var step = recent[(keptSteps - s) % WindowSteps];
            for (int b = 0; b < Bands; b++) mean[b] += step[b];
        }
        for (int b = 0; b < Bands; b++) mean[b] /= previous + 1;
        return Distance(mean) > allowed;
    }

    /// <summary>The step that is heard, when it is not the one last judged: it enters the last second.</summary>
    public void Keep(ReadOnlySpan<float> magnitudes) => BandPower(magnitudes, recent[keptSteps++ % WindowSteps]);

    /// <summary>The step last given to <see cref="Strays"/> is heard: it enters the last second, as judged.</summary>
    public void KeepJudged() => Array.Copy(candidate, recent[keptSteps++ % WindowSteps], Bands);

    /// <summary>Learning is over (a note learns before it generates): the reference is the learnt steps' mean, and
    /// the allowance comes from their own windows' distances to it.</summary>
    void FixReference()
    {
        Array.Clear(reference);
        for (int s = 0; s < learntSteps; s++)
            for (int b = 0; b < Bands; b++) reference[b] += learnt[s][b] / learntSteps;
        floor = reference.Max() * Math.Pow(10, -FloorDb / 10);
        int window = Math.Min(WindowSteps, learntSteps);
        double worst = 0;
        for (int start = 0; start + window <= learntSteps; start++)
        {
            Array.Clear(mean);
            for (int s = start; s < start + window; s++)
                for (int b = 0; b < Bands; b++) mean[b] += learnt[s][b] / window;
            worst = Math.Max(worst, Distance(mean));
        }
        allowed = Math.Max(MinimumDb, RoomFactor * worst);
    }

    /// <summary>Mean over bands of |dB difference| from the reference, both floored.</summary>
    double Distance(double[] bandPower)
    {
        double sum = 0;
        for (int b = 0; b < Bands; b++)
            sum += Math.Abs(10 * Math.Log10(Math.Max(bandPower[b], floor) / Math.Max(reference[b], floor)));
        return sum / Bands;
    }

    /// <summary>Mean mel band power of a step's linear magnitude frames.</summary>
    void BandPower(ReadOnlySpan<float> magnitudes, double[] bands)
    {
        Array.Clear(bands);
        int frames = magnitudes.Length / bins;
        for (int f = 0; f < frames; f++)
        {
            var frame = magnitudes.Slice(f * bins, bins);
            for (int k = 0; k < bins; k++) power[k] = frame[k] * frame[k];
            bank.Apply(power, mel);
            for (int b = 0; b < Bands; b++) bands[b] += mel[b] / frames;
        }
    }
}
