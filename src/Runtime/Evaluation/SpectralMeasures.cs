namespace Distill.Runtime.Evaluation;

/// <summary>The spectral sound-quality measures of data.md, each comparing a rendered clip with its original.</summary>
public static class SpectralMeasures
{
    /// <summary>Alignment is searched within ±0.5 s.</summary>
    public const double MaxShiftSeconds = 0.5;

    /// <summary>Bands of <see cref="BandLevelErrorsDb"/>, in Hz: two octaves each up to 4 kHz, then the presence
    /// and air ranges.</summary>
    public static readonly (double Low, double High)[] LevelBands =
        [(0, 250), (250, 1000), (1000, 4000), (4000, 12000), (12000, 24000)];

    /// <summary>Each frame's energy: its mel power summed over bands.</summary>
    public static double[] FrameEnergy(MelPowerSpectrogram s)
    {
        var energy = new double[s.Frames];
        for (int t = 0; t < s.Frames; t++)
        {
            double sum = 0;
            for (int m = 0; m < s.Mels; m++) sum += s.MelPower[t * s.Mels + m];
            energy[t] = sum;
        }
        return energy;
    }

    /// <summary>The best alignment of <paramref name="rendered"/> on <paramref name="original"/> within
    /// ±<see cref="MaxShiftSeconds"/>, by cross-correlating frame energies. Linear energies, not decibels: the
    /// loud frames (onsets, strokes) are what says where a sound is; in decibels a struck sound's quiet tail, which
    /// a replay ends on a different floor, outweighed its strike.</summary>
    public static FrameAlignment Align(MelPowerSpectrogram original, MelPowerSpectrogram rendered)
    {
        int maxLag = (int)Math.Round(MaxShiftSeconds * MelPowerSpectrogram.Features.FramesPerSecond);
        return FrameAlignment.Best(FrameEnergy(original), FrameEnergy(rendered), maxLag);
    }

    /// <summary>Mean over aligned frames and bands of |mel_dB(original) − mel_dB(rendered)|.</summary>
    public static double LogMelDistanceDb(MelPowerSpectrogram original, MelPowerSpectrogram rendered,
                                          FrameAlignment at)
    {
        int mels = original.Mels;
        var a = original.MelDb.AsSpan(at.OriginalStart * mels, at.Count * mels);
        var b = rendered.MelDb.AsSpan(at.RenderedStart * mels, at.Count * mels);
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += Math.Abs(a[i] - b[i]);
        return a.Length == 0 ? double.NaN : sum / a.Length;
    }

    /// <summary>‖|X| − |Y|‖_F / ‖|X|‖_F over the aligned frames, X the original's linear magnitudes.</summary>
    public static double SpectralConvergence(MelPowerSpectrogram original, MelPowerSpectrogram rendered,
                                             FrameAlignment at)
    {
        int bins = original.Bins;
        var x = original.Magnitude.AsSpan(at.OriginalStart * bins, at.Count * bins);
        var y = rendered.Magnitude.AsSpan(at.RenderedStart * bins, at.Count * bins);
        double error = 0, total = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double d = x[i] - y[i];
            error += d * d;
            total += (double)x[i] * x[i];
        }
        return Math.Sqrt(error / total);
    }

    /// <summary>Each frame's spectral flux: the mean over bands of |mel_dB(t) − mel_dB(t − 1)|, from frame 1.</summary>
    public static double[] FluxDb(MelPowerSpectrogram s)
    {
        int mels = s.Mels;
        var flux = new double[Math.Max(0, s.Frames - 1)];
        for (int t = 1; t < s.Frames; t++)
        {
            double sum = 0;
            for (int m = 0; m < mels; m++)
                sum += Math.Abs(s.MelDb[t * mels + m] - s.MelDb[(t - 1) * mels + m]);
            flux[t - 1] = sum / mels;
        }
        return flux;
    }

    /// <summary>The 99th percentile of the rendered clip's flux over the original's: above 1 the rendering has
    /// sharper frame-to-frame changes (clicks, jumps) than the source, below 1 it is smoother.</summary>
    public static double FluxRatio(MelPowerSpectrogram original, MelPowerSpectrogram rendered) =>
        Percentile(FluxDb(rendered), 0.99) / Percentile(FluxDb(original), 0.99);

    /// <summary>How much the flux repeats with a period of <paramref name="period"/> frames (the codec's time step
    /// is 16 hops): the flux averaged per phase (frame mod period), largest over the mean. About 1 for sound with
    /// no such rhythm; a decoder whose steps join badly marks every step boundary and scores higher.</summary>
    public static double StepPeriodicity(MelPowerSpectrogram s, int period = 16)
    {
        var flux = FluxDb(s);
        if (flux.Length < 2 * period) return double.NaN;
        var sums = new double[period];
        int whole = flux.Length / period * period;
        for (int t = 0; t < whole; t++) sums[t % period] += flux[t];
        double mean = sums.Average();
        return mean > 0 ? sums.Max() / mean : double.NaN;
    }

    /// <summary>The <paramref name="fraction"/> quantile with linear interpolation between order statistics.</summary>
    public static double Percentile(ReadOnlySpan<double> values, double fraction)
    {
        if (values.Length == 0) return double.NaN;
        var sorted = values.ToArray();
        Array.Sort(sorted);
        double position = fraction * (sorted.Length - 1);
        int below = (int)Math.Floor(position), above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    /// <summary>Per <see cref="LevelBands"/> band, the rendered clip's mean mel power over the original's, in dB.
    /// Bands are chosen by their centre frequency.</summary>
    public static double[] BandLevelErrorsDb(MelPowerSpectrogram original, MelPowerSpectrogram rendered) =>
        LevelBands.Select(band => 10 * Math.Log10(BandPower(rendered, band) / BandPower(original, band))).ToArray();

    static double BandPower(MelPowerSpectrogram s, (double Low, double High) band)
    {
        double sum = 0;
        int count = 0;
        for (int m = 0; m < s.Mels; m++)
        {
            double centre = MelPowerSpectrogram.BandCentreHz(m);
            if (centre < band.Low || centre >= band.High) continue;
            for (int t = 0; t < s.Frames; t++) sum += s.MelPower[t * s.Mels + m];
            count += s.Frames;
        }
        return sum / count;
    }
}
