namespace Distill.Runtime.Evaluation;

/// <summary>Every measure of one rendered clip against its original (mono, 48 kHz): differences are
/// rendered − original, ratios rendered / original; DC is the rendered clip's own, next to the original's (a bass
/// note's 1 s means are not zero, and a render should not be judged for what its original holds). Step periodicity is
/// <see cref="SpectralMeasures.StepPeriodicity"/> of the rendered clip over the original's.</summary>
public sealed record ClipComparison(
    double LogMelDistanceDb, double SpectralConvergence, int LagFrames, double LevelErrorDb, double FluxRatio,
    double CrestFactorDifferenceDb, double DcOffset, double OriginalDcOffset, int ClippedSamplesDifference,
    double[] BandLevelErrorsDb, double StepPeriodicityRatio)
{
    public static ClipComparison Of(ReadOnlySpan<float> original, ReadOnlySpan<float> rendered)
    {
        var a = new MelPowerSpectrogram(original);
        var b = new MelPowerSpectrogram(rendered);
        var spectral = SpectralComparison.Of(a, b);
        return new ClipComparison(
            spectral.LogMelDistanceDb, spectral.SpectralConvergence, spectral.LagFrames,
            SampleMeasures.LevelErrorDb(original, rendered), SpectralMeasures.FluxRatio(a, b),
            SampleMeasures.CrestFactorDb(rendered) - SampleMeasures.CrestFactorDb(original),
            SampleMeasures.LargestDcOffset(rendered, MelPowerSpectrogram.Features.SampleRate),
            SampleMeasures.LargestDcOffset(original, MelPowerSpectrogram.Features.SampleRate),
            SampleMeasures.ClippedSamples(rendered) - SampleMeasures.ClippedSamples(original),
            SpectralMeasures.BandLevelErrorsDb(a, b),
            SpectralMeasures.StepPeriodicity(b) / SpectralMeasures.StepPeriodicity(a));
    }
}
