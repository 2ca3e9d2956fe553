using Distill.Runtime.Bundle;
using Distill.Runtime.Dsp;

namespace Distill.Runtime.Engine;

/// <summary>
/// Keeps a generated note's spectrum near its anchor's: the mean mel spectrum of the last second of steps may differ
/// from the mean of the steps the note replays from its anchor (the primed opening) by as much as the opening's own
/// seconds do, with room (<see cref="RoomFactor"/>×, at least <see cref="MinimumDb"/>); a step that would take it
/// further strays. The distance is the mean over bands of |dB difference|, bands floored <see cref="FloorDb"/> below
/// the opening's loudest, on the decoder's magnitudes, and the second is averaged two ways, each judged on its own:
/// in power (the spectrum's balance, which loud steps set) and in dB, frame by frame, as the generation goals measure a
/// window (data.md). In power alone, a second of loud bursts between holes passes for a steady sound — the demo's
/// pluck-bass generated seconds 5 dB from its anchor by power and 20 dB by the goals' measure; in dB alone, the
/// spectrum's balance moved further on pads and drones. A prior wanders step by step into another sound; judged on a
/// second, one odd step is variation, a run of them is drift.
/// </summary>
public sealed class SpectrumGuard
{
    public const int Bands = 32, WindowSteps = 6;
    public const double RoomFactor = 1.5, MinimumDb = 6, FloorDb = 80;

    // A step's summary: each band's mean power (linear), then its mean level (dB, floored), over the step's frames.
    const int Power = 0, Level = Bands, Summary = 2 * Bands;

    readonly MelFilterbank bank;
    readonly int bins;
    readonly float[] power, mel;    // one frame
    readonly double[][] learnt;     // band power of each replayed step's frames, [frame · Bands + band]
    readonly int[] learntFrames;    // frames in each of them
    readonly double[][] learntSummaries; // their summaries, once the floor is known
    readonly double[][] recent;     // summaries of the last WindowSteps steps heard, a ring
    readonly double[] reference, candidate, mean, framePowers;
    int learntSteps, keptSteps;
    double allowedPower, allowedLevel; // the largest distances allowed (NaN until judged)
    double floor;                      // band power floor (NaN while learning: the opening's loudest sets it)

    /// <param name="learnSteps">How many steps <see cref="Learn"/> may be given (the primed opening's).</param>
    /// <param name="framesPerStep">The most frames a step has.</param>
    public SpectrumGuard(int sampleRate, int nFft, int learnSteps, int framesPerStep = WorldGraphs.FramesPerStep)
    {
        bank = new MelFilterbank(sampleRate, nFft, Bands, 0, sampleRate / 2.0);
        bins = nFft / 2 + 1;
        power = new float[bins];
        mel = new float[Bands];
        learnt = NewSteps(learnSteps, framesPerStep * Bands);
        learntFrames = new int[learnSteps];
        learntSummaries = NewSteps(learnSteps, Summary);
        recent = NewSteps(WindowSteps, Summary);
        reference = new double[Summary]; candidate = new double[Summary]; mean = new double[Summary];
        framePowers = new double[framesPerStep * Bands];
        Reset();
    }

    static double[][] NewSteps(int steps, int length) =>
        Enumerable.Range(0, steps).Select(_ => new double[length]).ToArray();

    public void Reset()
    {
        learntSteps = keptSteps = 0;
        allowedPower = allowedLevel = floor = double.NaN;
    }

    bool Fixed => !double.IsNaN(floor);

    /// <summary>A step of the anchor itself (linear magnitude frames): it sets the reference, and is heard.</summary>
    public void Learn(ReadOnlySpan<float> magnitudes)
    {
        if (learntSteps == learnt.Length) return;
        learntFrames[learntSteps] = FramePowers(magnitudes, learnt[learntSteps]);
        learntSteps++;
        keptSteps++; // it enters the last second once the floor is known (FixReference)
    }

    /// <summary>Whether a generated step would take the last second's spectrum further from the anchor's than
    /// allowed. Nothing strays before anything was learnt.</summary>
    public bool Strays(ReadOnlySpan<float> magnitudes)
    {
        if (learntSteps == 0) return false;
        if (!Fixed) FixReference();
        Summarise(magnitudes, candidate);
        int previous = Math.Min(keptSteps, WindowSteps - 1);
        Array.Copy(candidate, mean, Summary);
        for (int s = 1; s <= previous; s++)
        {
            var step = recent[(keptSteps - s) % WindowSteps];
            for (int i = 0; i < Summary; i++) mean[i] += step[i];
        }
        for (int i = 0; i < Summary; i++) mean[i] /= previous + 1;
        return PowerDistance(mean) > allowedPower || LevelDistance(mean) > allowedLevel;
    }

    /// <summary>The step that is heard, when it is not the one last judged: it enters the last second.</summary>
    public void Keep(ReadOnlySpan<float> magnitudes)
    {
        if (learntSteps == 0) return; // nothing is judged before the anchor is learnt
        if (!Fixed) FixReference();
        Summarise(magnitudes, recent[keptSteps++ % WindowSteps]);
    }

    /// <summary>The step last given to <see cref="Strays"/> is heard: it enters the last second, as judged.</summary>
    public void KeepJudged()
    {
        if (learntSteps > 0) Array.Copy(candidate, recent[keptSteps++ % WindowSteps], Summary);
    }

    /// <summary>Learning is over (a note learns before it generates): the floor and the reference come from the learnt
    /// steps, the allowances from their own windows' distances to it, and they are the last second heard so far.
    /// </summary>
    void FixReference()
    {
        double loudest = 0;
        for (int s = 0; s < learntSteps; s++)
            foreach (double p in learnt[s].AsSpan(0, learntFrames[s] * Bands)) loudest = Math.Max(loudest, p);
        floor = Math.Max(loudest * Math.Pow(10, -FloorDb / 10), double.Epsilon);
        var summaries = learntSummaries.AsSpan(0, learntSteps);
        for (int s = 0; s < learntSteps; s++) Summarise(learnt[s].AsSpan(0, learntFrames[s] * Bands), summaries[s]);
        for (int s = Math.Max(0, learntSteps - WindowSteps); s < learntSteps; s++)
            Array.Copy(summaries[s], recent[s % WindowSteps], Summary);
        Array.Clear(reference);
        for (int s = 0; s < learntSteps; s++)
            for (int i = 0; i < Summary; i++) reference[i] += summaries[s][i] / learntSteps;
        int window = Math.Min(WindowSteps, learntSteps);
        double worstPower = 0, worstLevel = 0;
        for (int start = 0; start + window <= learntSteps; start++)
        {
            Array.Clear(mean);
            for (int s = start; s < start + window; s++)
                for (int i = 0; i < Summary; i++) mean[i] += summaries[s][i] / window;
            worstPower = Math.Max(worstPower, PowerDistance(mean));
            worstLevel = Math.Max(worstLevel, LevelDistance(mean));
        }
        allowedPower = Math.Max(MinimumDb, RoomFactor * worstPower);
        allowedLevel = Math.Max(MinimumDb, RoomFactor * worstLevel);
    }

    /// <summary>Mean over bands of |dB difference| from the reference, of mean powers, floored.</summary>
    double PowerDistance(double[] summary)
    {
        double sum = 0;
        for (int b = 0; b < Bands; b++)
            sum += Math.Abs(10 * Math.Log10(Math.Max(summary[Power + b], floor) /
                                            Math.Max(reference[Power + b], floor)));
        return sum / Bands;
    }

    /// <summary>Mean over bands of |dB difference| from the reference, of mean levels.</summary>
    double LevelDistance(double[] summary)
    {
        double sum = 0;
        for (int b = 0; b < Bands; b++) sum += Math.Abs(summary[Level + b] - reference[Level + b]);
        return sum / Bands;
    }

    /// <summary>A step's summary from its linear magnitude frames.</summary>
    void Summarise(ReadOnlySpan<float> magnitudes, double[] summary)
    {
        int frames = FramePowers(magnitudes, framePowers);
        Summarise(framePowers.AsSpan(0, frames * Bands), summary);
    }

    /// <summary>Mel band power of each of a step's linear magnitude frames, [frame · Bands + band]; returns the
    /// frames (at most the constructor's frames per step).</summary>
    int FramePowers(ReadOnlySpan<float> magnitudes, double[] powers)
    {
        int frames = Math.Min(magnitudes.Length / bins, powers.Length / Bands);
        for (int f = 0; f < frames; f++)
        {
            var frame = magnitudes.Slice(f * bins, bins);
            for (int k = 0; k < bins; k++) power[k] = frame[k] * frame[k];
            bank.Apply(power, mel);
            for (int b = 0; b < Bands; b++) powers[f * Bands + b] = mel[b];
        }
        return frames;
    }

    /// <summary>A step's summary from band powers of its frames [frame · Bands + band].</summary>
    void Summarise(ReadOnlySpan<double> powers, double[] summary)
    {
        int frames = powers.Length / Bands;
        for (int b = 0; b < Bands; b++)
        {
            double sum = 0, levels = 0;
            for (int f = 0; f < frames; f++)
            {
                double p = powers[f * Bands + b];
                sum += p;
                levels += 10 * Math.Log10(Math.Max(p, floor));
            }
            summary[Power + b] = sum / Math.Max(1, frames);
            summary[Level + b] = levels / Math.Max(1, frames);
        }
    }
}
