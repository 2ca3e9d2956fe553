namespace Distill.Runtime.Evaluation;

/// <summary>Every measure of one rendered clip against its original (mono, 48 kHz): differences are
/// rendered − original, ratios rendered / original; DC and clipping are the rendered clip's own.</summary>
public sealed record ClipComparison(
    double LogMelDistanceDb, double SpectralConvergence, int LagFrames, double LevelErrorDb, double FluxRatio,
    double CrestFactorDifferenceDb, double DcOffset, int ClippedSamples, double[] BandLevelErrorsDb)
{
    public static ClipComparison Of(ReadOnlySpan<float> original, ReadOnlySpan<float> rendered)
    {
        var a = new MelPowerSpectrogram(original);
        var b = new MelPowerSpectrogram(rendered);
        var at = SpectralMeasures.Align(a, b);
        return new ClipComparison(
            SpectralMeasures.LogMelDistanceDb(a, b, at), SpectralMeasures.SpectralConvergence(a, b, at), at.Lag,
            SampleMeasures.LevelErrorDb(original, rendered), SpectralMeasures.FluxRatio(a, b),
            SampleMeasures.CrestFactorDb(rendered) - SampleMeasures.CrestFactorDb(original),
            SampleMeasures.LargestDcOffset(rendered, MelPowerSpectrogram.Features.SampleRate),
            SampleMeasures.ClippedSamples(rendered), SpectralMeasures.BandLevelErrorsDb(a, b));
    }
}
