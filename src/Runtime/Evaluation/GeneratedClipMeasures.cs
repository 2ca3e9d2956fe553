namespace Distill.Runtime.Evaluation;

/// <summary>
/// The collapse and breakage measures of data.md for one generated clip (a note that continued an anchor), each next
/// to the same figure of the anchor's original clip, both mono at 48 kHz:
/// <list type="bullet">
/// <item>spectral drift: the largest distance of a 1 s window's mean log-mel spectrum from the original's mean
/// spectrum (mean over bands of |dB difference|), against the original's own largest;</item>
/// <item>level drift: the lowest and highest 1 s RMS level, against the original's;</item>
/// <item>silence: 50 ms frames more than 40 dB below the original's median 50 ms level, and of them the holes: runs of
/// such frames longer than the original's own longest (a sound with gaps of its own, as bubbles between their events,
/// may have gaps as long as its own; one without any may have none);</item>
/// <item>clipping: samples at |x| ≥ 1;</item>
/// <item>clicks: frames whose spectral flux is well beyond anything the original does (<see cref="CountClicks"/>).</item>
/// </list>
/// </summary>
public sealed record GeneratedClipMeasures(
    double WorstWindowDistanceDb, double OriginalWorstWindowDistanceDb, double MinRmsDb, double MaxRmsDb,
    double OriginalMinRmsDb, double OriginalMaxRmsDb, int SilentFrames, double SilentFraction,
    int OriginalSilentFrames, int LongestSilentRun, int OriginalLongestSilentRun, int SilentHoleFrames,
    int ClippedSamples, int OriginalClippedSamples, int ClickFrames)
{
    public const double WindowSeconds = 1, SilenceFrameSeconds = 0.05, SilenceBelowMedianDb = 40;

    /// <summary>A click is a frame whose flux exceeds the original's largest by this factor. The largest, not a
    /// percentile: a clip of a few seconds has too few frames for a p99.9 to differ from it. The factor, because a
    /// 30 s note draws ten times as many frames of the same texture as its few-second source, and the largest of
    /// more draws is larger; steady noise stays below it while a click on a texture is several times above.</summary>
    public const double ClickFluxFactor = 1.5;

    /// <summary>Levels are floored here, so digital silence has a finite level.</summary>
    public const double FloorDb = -200;

    static int Rate => MelPowerSpectrogram.Features.SampleRate;

    /// <summary>The worst window's distance over the original's own worst: at most 1.5 is issue 11's goal.</summary>
    public double WindowDistanceRatio => WorstWindowDistanceDb / OriginalWorstWindowDistanceDb;

    /// <summary>The spread of the clip's 1 s levels (data.md's drift).</summary>
    public double RmsSpreadDb => MaxRmsDb - MinRmsDb;

    /// <summary>How far the clip's 1 s levels leave the original's range (0 within it).</summary>
    public double RmsBeyondOriginalRangeDb =>
        Math.Max(0, Math.Max(OriginalMinRmsDb - MinRmsDb, MaxRmsDb - OriginalMaxRmsDb));

    public int ClippedSamplesDifference => ClippedSamples - OriginalClippedSamples;

    public static GeneratedClipMeasures Of(ReadOnlySpan<float> original, ReadOnlySpan<float> generated) =>
        Of(original, new MelPowerSpectrogram(original), generated, new MelPowerSpectrogram(generated));

    /// <summary>The measures from clips already analysed (the caller needs their spectrograms too).</summary>
    public static GeneratedClipMeasures Of(ReadOnlySpan<float> original, MelPowerSpectrogram originalSpectrogram,
                                           ReadOnlySpan<float> generated, MelPowerSpectrogram generatedSpectrogram)
    {
        var reference = MeanSpectrumDb(originalSpectrogram, 0, originalSpectrogram.Frames);
        int window = (int)(WindowSeconds * Rate);
        var originalLevels = WindowRmsDb(original, window);
        var generatedLevels = WindowRmsDb(generated, window);
        var originalFrames = FrameLevelsDb(original);
        var generatedFrames = FrameLevelsDb(generated);
        double silence = SpectralMeasures.Percentile(originalFrames, 0.5) - SilenceBelowMedianDb;
        var originalRuns = SilentRuns(originalFrames, silence);
        var generatedRuns = SilentRuns(generatedFrames, silence);
        int silent = generatedRuns.Sum(), originalLongest = originalRuns.DefaultIfEmpty().Max();
        return new GeneratedClipMeasures(
            LargestWindowDistanceDb(generatedSpectrogram, reference),
            LargestWindowDistanceDb(originalSpectrogram, reference),
            generatedLevels.Min(), generatedLevels.Max(), originalLevels.Min(), originalLevels.Max(),
            silent, silent / (double)generatedFrames.Length, originalRuns.Sum(),
            generatedRuns.DefaultIfEmpty().Max(), originalLongest, generatedRuns.Where(run => run > originalLongest).Sum(),
            SampleMeasures.ClippedSamples(generated), SampleMeasures.ClippedSamples(original),
            CountClicks(originalSpectrogram, generatedSpectrogram));
    }

    /// <summary>Where windows of <paramref name="window"/> start in <paramref name="length"/>: every half window,
    /// and one more ending at the end if the last does not, so even a clip little longer than a window has several
    /// to set its own range. A clip shorter than one window is one window.</summary>
    public static int[] WindowStarts(int length, int window)
    {
        if (length <= window) return [0];
        int hop = Math.Max(1, window / 2);
        var starts = new List<int>();
        for (int start = 0; start + window <= length; start += hop) starts.Add(start);
        if (starts[^1] + window < length) starts.Add(length - window);
        return starts.ToArray();
    }

    /// <summary>20·log10 of the RMS, floored at <see cref="FloorDb"/>.</summary>
    public static double RmsDb(ReadOnlySpan<float> x) =>
        Math.Max(FloorDb, 20 * Math.Log10(SampleMeasures.Rms(x)));

    /// <summary>The RMS level of each window of <see cref="WindowStarts"/>.</summary>
    public static double[] WindowRmsDb(ReadOnlySpan<float> x, int window)
    {
        var starts = WindowStarts(x.Length, window);
        var levels = new double[starts.Length];
        for (int i = 0; i < starts.Length; i++)
            levels[i] = RmsDb(x.Slice(starts[i], Math.Min(window, x.Length - starts[i])));
        return levels;
    }

    /// <summary>The level of each whole consecutive 50 ms frame (the whole clip when shorter than one).</summary>
    public static double[] FrameLevelsDb(ReadOnlySpan<float> x)
    {
        int frame = (int)(SilenceFrameSeconds * Rate);
        if (x.Length < frame) return [RmsDb(x)];
        var levels = new double[x.Length / frame];
        for (int i = 0; i < levels.Length; i++) levels[i] = RmsDb(x.Slice(i * frame, frame));
        return levels;
    }

    /// <summary>The lengths of the runs of consecutive levels below <paramref name="silence"/>, in order.</summary>
    public static List<int> SilentRuns(ReadOnlySpan<double> levels, double silence)
    {
        var runs = new List<int>();
        int run = 0;
        foreach (double level in levels)
            if (level < silence) run++;
            else if (run > 0) { runs.Add(run); run = 0; }
        if (run > 0) runs.Add(run);
        return runs;
    }

    /// <summary>The mean floored dB of each mel band over <paramref name="count"/> frames from
    /// <paramref name="start"/>.</summary>
    public static double[] MeanSpectrumDb(MelPowerSpectrogram s, int start, int count)
    {
        var mean = new double[s.Mels];
        for (int t = start; t < start + count; t++)
            for (int m = 0; m < s.Mels; m++) mean[m] += s.MelDb[t * s.Mels + m];
        for (int m = 0; m < s.Mels; m++) mean[m] /= Math.Max(1, count);
        return mean;
    }

    /// <summary>The largest distance of a 1 s window's mean spectrum (windows of <see cref="WindowStarts"/> in
    /// frames) from <paramref name="reference"/>: mean over bands of |dB difference|.</summary>
    public static double LargestWindowDistanceDb(MelPowerSpectrogram s, double[] reference)
    {
        int window = (int)Math.Round(WindowSeconds * MelPowerSpectrogram.Features.FramesPerSecond);
        double worst = 0;
        foreach (int start in WindowStarts(s.Frames, window))
        {
            var mean = MeanSpectrumDb(s, start, Math.Min(window, s.Frames - start));
            double distance = 0;
            for (int m = 0; m < mean.Length; m++) distance += Math.Abs(mean[m] - reference[m]);
            worst = Math.Max(worst, distance / mean.Length);
        }
        return worst;
    }

    /// <summary>Frames of <paramref name="generated"/> whose flux is more than <see cref="ClickFluxFactor"/> times
    /// the largest flux of <paramref name="original"/>, both away from their ends (<see cref="InteriorFluxDb"/>).
    /// An original too short to have interior frames sets no bound.</summary>
    public static int CountClicks(MelPowerSpectrogram original, MelPowerSpectrogram generated)
    {
        var originalFlux = InteriorFluxDb(original);
        double threshold = originalFlux.Length == 0 ? double.PositiveInfinity : ClickFluxFactor * originalFlux.Max();
        return InteriorFluxDb(generated).Count(flux => flux > threshold);
    }

    /// <summary><see cref="SpectralMeasures.FluxDb"/> between frames whose window lies wholly inside the clip: the
    /// STFT reflects the clip at its ends, which puts a kink into any waveform not at a turning point there and
    /// lights the edge frames up like a click.</summary>
    public static double[] InteriorFluxDb(MelPowerSpectrogram s)
    {
        var f = MelPowerSpectrogram.Features;
        int edge = f.NFft / 2 / f.Hop;
        var flux = SpectralMeasures.FluxDb(s);
        // flux[i] is the change from frame i to i + 1; frames edge … Frames − edge − 1 are interior.
        return flux.Length <= 2 * edge ? [] : flux[edge..(s.Frames - edge - 1)];
    }
}
