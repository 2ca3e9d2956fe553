namespace Distill.Tests.Plugin;

/// <summary>A host's bounce against the offline render of the same performance: 50 ms frames more than 20 dB quieter
/// in the bounce (dropouts), the largest frame level difference where the render sounds, and the first sample that
/// differs by more than one step of a 24-bit file.</summary>
internal sealed record BounceComparison(int Rate, int Frames, int DropoutFrames, double WorstFrameDb, double MeanFrameDb, int? FirstDifferingSample)
{
    public static BounceComparison Of(float[] bounce, float[] render, int rate)
    {
        int n = Math.Min(bounce.Length, render.Length), frame = rate / 20;
        int? first = null;
        for (int i = 0; i < n && first is null; i++)
            if (Math.Abs(bounce[i] - render[i]) > 1.5 / (1 << 23)) first = i;
        int dropouts = 0, counted = 0;
        double worst = 0, sum = 0;
        for (int f = 0; f + frame <= n; f += frame)
        {
            double a = LevelDb(bounce.AsSpan(f, frame)), b = LevelDb(render.AsSpan(f, frame));
            if (b < -80) continue; // the render is silent here
            if (a < b - 20) dropouts++;
            worst = Math.Max(worst, Math.Abs(a - b));
            sum += Math.Abs(a - b);
            counted++;
        }
        return new BounceComparison(rate, n / frame, dropouts, worst, counted == 0 ? 0 : sum / counted, first);
    }

    static double LevelDb(ReadOnlySpan<float> x) => 20 * Math.Log10(SignalLevel.Rms(x) + 1e-10);

    public override string ToString() =>
        $"{Frames} frames of 50 ms: {DropoutFrames} dropouts (> 20 dB quieter), level difference mean {MeanFrameDb:0.000} dB, worst {WorstFrameDb:0.000} dB; " +
        $"first differing sample {(FirstDifferingSample is { } s ? $"{s} ({(double)s / Rate:0.000} s)" : "none")}";
}
