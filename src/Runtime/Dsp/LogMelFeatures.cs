namespace Distill.Runtime.Dsp;

/// <summary>
/// Feature parameters shared by training and every inference path. 48 kHz with n_fft 2048 /
/// hop 512 gives 93.75 frames/s and 23.4 Hz bins; 128 mel bands over 0–24 kHz are 16× poolable
/// to the model's 8 frequency positions. Log floor 1e-5 (−50 dB in power) keeps silence finite
/// without dominating the loss.
/// </summary>
public sealed record FeatureConfig
{
    /// <summary>The rate every model hears and makes: worlds are trained, generated and mixed at 48 kHz.</summary>
    public const int ModelRate = 48000;

    public int SampleRate { get; init; } = ModelRate;
    public int NFft { get; init; } = 2048;
    public int Hop { get; init; } = 512;
    public int Mels { get; init; } = 128;
    public double FMin { get; init; } = 0;
    public double FMax { get; init; } = 24000;
    public float LogFloor { get; init; } = 1e-5f;
    public int Bins => NFft / 2 + 1;
    public double FramesPerSecond => (double)SampleRate / Hop;
}

/// <summary>
/// The one feature extractor: natural-log mel power (ln max(mel, floor)) for the model input and
/// natural-log STFT magnitude (ln max(|X|, floor)) for the decoder's linear head, on identical
/// frames. Output is frame-major.
/// </summary>
public sealed class LogMelFeatures(FeatureConfig config)
{
    readonly Stft stft = new(config.NFft, config.Hop);
    readonly MelFilterbank filterbank = new(config.SampleRate, config.NFft, config.Mels, config.FMin, config.FMax);

    public FeatureConfig Config => config;
    public MelFilterbank Filterbank => filterbank;

    public float[] LogMel(ReadOnlySpan<float> audio, out int frames) =>
        Extract(audio, withMagnitude: false, out frames).LogMel;

    /// <summary>Both features from one STFT: log-mel power and log magnitude, frame-major.</summary>
    public (float[] LogMel, float[] LogMagnitude) LogMelAndMagnitude(ReadOnlySpan<float> audio, out int frames)
    {
        var (mel, magnitude) = Extract(audio, withMagnitude: true, out frames);
        return (mel, magnitude!);
    }

    (float[] LogMel, float[]? LogMagnitude) Extract(ReadOnlySpan<float> audio, bool withMagnitude, out int frames)
    {
        var (re, im, f) = stft.Forward(audio);
        frames = f;
        int bins = config.Bins, mels = config.Mels;
        var power = new float[bins];
        var logMel = new float[frames * mels];
        var logMagnitude = withMagnitude ? new float[frames * bins] : null;
        for (int t = 0; t < frames; t++)
        {
            for (int k = 0; k < bins; k++)
            {
                float a = re[t * bins + k], b = im[t * bins + k];
                power[k] = a * a + b * b;
            }
            var row = logMel.AsSpan(t * mels, mels);
            filterbank.Apply(power, row);
            for (int m = 0; m < mels; m++) row[m] = MathF.Log(MathF.Max(row[m], config.LogFloor));
            if (logMagnitude is not null)
                for (int k = 0; k < bins; k++)
                    logMagnitude[t * bins + k] = MathF.Log(MathF.Max(MathF.Sqrt(power[k]), config.LogFloor));
        }
        return (logMel, logMagnitude);
    }
}
