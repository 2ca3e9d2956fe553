namespace Distill.Runtime.Evaluation;

/// <summary>The aligned spectral measures of a rendering against its original, on their magnitudes alone: all that
/// can be said of a rendering that is no audio yet (a decoder's magnitudes before phase reconstruction).</summary>
public sealed record SpectralComparison(double LogMelDistanceDb, double SpectralConvergence, int LagFrames)
{
    public static SpectralComparison Of(MelPowerSpectrogram original, MelPowerSpectrogram rendered)
    {
        var at = SpectralMeasures.Align(original, rendered);
        return new SpectralComparison(SpectralMeasures.LogMelDistanceDb(original, rendered, at),
                                      SpectralMeasures.SpectralConvergence(original, rendered, at), at.Lag);
    }
}
