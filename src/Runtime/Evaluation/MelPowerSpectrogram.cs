using Distill.Runtime.Dsp;

namespace Distill.Runtime.Evaluation;

/// <summary>
/// The analysis every sound-quality measure reads: a mono clip at 48 kHz through the
/// features' STFT (n_fft 2048, hop 512, periodic Hann) and 128 Slaney mel bands, as linear magnitudes, linear mel
/// power and mel power in dB floored 80 dB below the clip's loudest mel bin. Frame-major. A decoder's own
/// magnitudes enter after the STFT (<see cref="FromMagnitude"/>).
/// </summary>
public sealed class MelPowerSpectrogram
{
    public const double FloorBelowPeakDb = 80;
    public static readonly FeatureConfig Features = new();

    public int Frames { get; }
    public int Mels => Features.Mels;
    public int Bins => Features.Bins;
    /// <summary>|X| per frame and bin.</summary>
    public float[] Magnitude { get; }
    /// <summary>Mel power per frame and band, unfloored.</summary>
    public float[] MelPower { get; }
    /// <summary>10·log10 of <see cref="MelPower"/>, floored per clip.</summary>
    public float[] MelDb { get; }

    static readonly MelFilterbank Filterbank =
        new(Features.SampleRate, Features.NFft, Features.Mels, Features.FMin, Features.FMax);

    /// <summary>Centre frequency of each mel band in Hz.</summary>
    public static double BandCentreHz(int mel) => Filterbank.Edges[mel + 1];

    public MelPowerSpectrogram(ReadOnlySpan<float> audio)
        : this(new Stft(Features.NFft, Features.Hop).Magnitude(audio, out int frames), frames)
    {
    }

    /// <summary>The analysis of linear magnitudes that did not come from audio (a decoder's), frame-major
    /// [frame · <see cref="Bins"/> + bin]; copied.</summary>
    public static MelPowerSpectrogram FromMagnitude(ReadOnlySpan<float> magnitude)
    {
        int bins = Features.Bins;
        if (magnitude.Length % bins != 0)
            throw new ArgumentException($"{magnitude.Length} magnitudes are not whole frames of {bins} bins",
                                        nameof(magnitude));
        return new MelPowerSpectrogram(magnitude.ToArray(), magnitude.Length / bins);
    }

    MelPowerSpectrogram(float[] magnitude, int frames)
    {
        Magnitude = magnitude;
        Frames = frames;
        MelPower = new float[frames * Mels];
        var power = new float[Bins];
        for (int t = 0; t < frames; t++)
        {
            for (int k = 0; k < Bins; k++) power[k] = Magnitude[t * Bins + k] * Magnitude[t * Bins + k];
            Filterbank.Apply(power, MelPower.AsSpan(t * Mels, Mels));
        }
        MelDb = FlooredDb(MelPower, FloorBelowPeakDb);
    }

    /// <summary>10·log10(p) of each value, raised to <paramref name="belowPeakDb"/> under the largest.</summary>
    public static float[] FlooredDb(ReadOnlySpan<float> power, double belowPeakDb)
    {
        // The absolute floor only keeps log10 of a silent clip finite; the relative floor does the work.
        const double Tiny = 1e-30;
        var db = new float[power.Length];
        double peak = double.NegativeInfinity;
        for (int i = 0; i < power.Length; i++)
        {
            db[i] = (float)(10 * Math.Log10(Math.Max(power[i], Tiny)));
            peak = Math.Max(peak, db[i]);
        }
        float floor = (float)(peak - belowPeakDb);
        for (int i = 0; i < db.Length; i++) db[i] = Math.Max(db[i], floor);
        return db;
    }
}
