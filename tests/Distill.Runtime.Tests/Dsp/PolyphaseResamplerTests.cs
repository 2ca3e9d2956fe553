using Distill.Runtime.Audio;
using Distill.Runtime.Dsp;
using Xunit.Abstractions;

namespace Distill.Tests.Dsp;

public class PolyphaseResamplerTests(ITestOutputHelper output)
{
    static float[] Sine(double hz, int rate, double seconds, double amplitude = 0.5) =>
        Enumerable.Range(0, (int)(rate * seconds)).Select(i => (float)(amplitude * Math.Sin(2 * Math.PI * hz * i / rate))).ToArray();

    /// <summary>Amplitude of a sine at a known frequency by least-squares projection on sin/cos,
    /// over the middle of the signal (edges excluded).</summary>
    static double Amplitude(float[] x, double hz, int rate)
    {
        int from = x.Length / 4, to = 3 * x.Length / 4;
        double s = 0, c = 0;
        for (int i = from; i < to; i++) { double a = 2 * Math.PI * hz * i / rate; s += x[i] * Math.Sin(a); c += x[i] * Math.Cos(a); }
        return 2 * Math.Sqrt(s * s + c * c) / (to - from);
    }

    static double Rms(float[] x) => Math.Sqrt(x.Skip(x.Length / 4).Take(x.Length / 2).Average(v => (double)v * v));

    [Theory]
    [InlineData(44100, 48000)]
    [InlineData(48000, 44100)]
    [InlineData(22050, 48000)]
    [InlineData(96000, 48000)]
    [InlineData(48000, 96000)]
    [InlineData(48000, 96001)]
    [InlineData(48000, 767999)]
    public void PassbandRippleIsBelowOneHundredthOfADecibel(int from, int to)
    {
        double edge = PolyphaseResampler.PassbandFraction * Math.Min(from, to) / 2;
        double worst = 0;
        foreach (double hz in new[] { 100, 1000, 5000, 0.5 * edge, 0.8 * edge, 0.97 * edge })
        {
            var y = PolyphaseResampler.ResampleAll(Sine(hz, from, 0.5), from, to);
            double db = 20 * Math.Log10(Amplitude(y, hz, to) / 0.5);
            worst = Math.Max(worst, Math.Abs(db));
        }
        output.WriteLine($"{from}→{to}: worst passband deviation {worst:F5} dB");
        Assert.True(worst < 0.01, $"ripple {worst} dB");
    }

    [Theory]
    [InlineData(96000, 48000, 30000)]
    [InlineData(48000, 44100, 23000)]
    [InlineData(48000, 44100, 22500)]
    [InlineData(192000, 48000, 60000)]
    public void TonesAboveTheOutputNyquistAreRejectedBy90Decibels(int from, int to, double hz)
    {
        var y = PolyphaseResampler.ResampleAll(Sine(hz, from, 0.5), from, to);
        double db = 20 * Math.Log10(Rms(y) / (0.5 / Math.Sqrt(2)) + 1e-12);
        output.WriteLine($"{from}→{to}, {hz} Hz: {db:F1} dB");
        Assert.True(db < -90, $"{db} dB");
    }

    [Fact]
    public void LogSweepStaysFlatInThePassband()
    {
        const int from = 44100, to = 48000;
        int n = from * 2;
        // Constant-amplitude sweep 50 Hz → 18 kHz: the output envelope must stay at 0.5.
        double k = Math.Log(18000 / 50.0) / n;
        var x = Enumerable.Range(0, n).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * 50 * (Math.Exp(k * i) - 1) / k / from))).ToArray();
        var y = PolyphaseResampler.ResampleAll(x, from, to);
        // Peak of each 10 ms window in the middle 90 %.
        int w = to / 100;
        for (int s = y.Length / 20; s + w < y.Length * 19 / 20; s += w)
        {
            double peak = y.Skip(s).Take(w).Max(v => Math.Abs(v));
            Assert.InRange(peak, 0.5 * 0.995, 0.5 * 1.005);
        }
    }

    [Fact]
    public void BlockSizeDoesNotChangeTheOutput()
    {
        var x = Sine(1234.5, 44100, 0.3);
        var whole = new PolyphaseResampler(44100, 48000);
        var a = new float[whole.MaxOutputFor(x.Length)];
        int na = whole.Process(x, a);

        var blocked = new PolyphaseResampler(44100, 48000);
        var b = new float[a.Length + 16];
        var random = new Random(5);
        int nb = 0;
        for (int i = 0; i < x.Length;)
        {
            int len = Math.Min(random.Next(1, 700), x.Length - i);
            nb += blocked.Process(x.AsSpan(i, len), b.AsSpan(nb));
            i += len;
        }
        Assert.Equal(na, nb);
        Assert.Equal(a[..na], b[..nb]);
    }

    [Theory]
    [InlineData(44100)]
    [InlineData(88200)]
    [InlineData(96000)]
    [InlineData(192000)]
    public void InputNeededIsExactlyWhatAPulledBlockTakes(int outputRate)
    {
        // An audio callback pulls blocks of varying size: InputNeeded(count) samples in must give
        // exactly count out (one fewer must not), and the blocks must join into the pushed stream.
        var x = Sine(997, 48000, 0.5);
        var pushed = new PolyphaseResampler(48000, outputRate);
        var reference = new float[pushed.MaxOutputFor(x.Length)];
        int referenceCount = pushed.Process(x, reference);

        var pulled = new PolyphaseResampler(48000, outputRate);
        Assert.Equal(0, pulled.InputNeeded(0));
        var y = new float[reference.Length];
        var random = new Random(outputRate);
        int position = 0, total = 0;
        while (true)
        {
            // Some blocks of one to three samples: upsampled outputs left over may already cover them.
            int count = random.Next(4) == 0 ? random.Next(1, 4) : random.Next(1, 1200), need = pulled.InputNeeded(count);
            if (position + need > x.Length) break;
            var block = y.AsSpan(total, count);
            int early = need > 0 ? pulled.Process(x.AsSpan(position, need - 1), block) : 0;
            Assert.True(early < count || need == 0, $"{need - 1} inputs already gave {count} outputs");
            int late = pulled.Process(x.AsSpan(position + Math.Max(need - 1, 0), Math.Min(need, 1)), block[early..]);
            Assert.Equal(count, early + late);
            position += need; total += count;
        }
        output.WriteLine($"48000→{outputRate}: pulled {total} samples in blocks from {position} inputs");
        Assert.True(total > referenceCount / 2);
        Assert.Equal(reference[..total], y[..total]);
    }

    [Fact]
    public void ProcessingAllocatesNothing()
    {
        var r = new PolyphaseResampler(48000, 44100);
        var input = Sine(440, 48000, 0.01);
        var outBuf = new float[r.MaxOutputFor(input.Length)];
        // Warm past tiered compilation's call counting (30 calls) and its instrumented tier: their bookkeeping may be
        // charged to this thread (2,200 bytes once, on a loaded machine, after a single warm-up call).
        for (int i = 0; i < 300; i++) r.Process(input, outBuf);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) r.Process(input, outBuf);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void AgreesWithSoxVeryHighQualityToBelowMinus60Decibels()
    {
        string dir = ExternalTools.TempDir("sox-rate");
        try
        {
            // Band-limited test signal: three sines and a slow chirp, all below 18 kHz.
            const int from = 44100, to = 48000;
            var x = Enumerable.Range(0, from).Select(i =>
            {
                double t = (double)i / from;
                return (float)(0.2 * Math.Sin(2 * Math.PI * 440 * t) + 0.15 * Math.Sin(2 * Math.PI * 3100 * t)
                             + 0.1 * Math.Sin(2 * Math.PI * 15000 * t) + 0.1 * Math.Sin(2 * Math.PI * (200 + 4000 * t) * t));
            }).ToArray();
            string input = Path.Combine(dir, "in.wav"), reference = Path.Combine(dir, "sox.wav");
            WavWriter.Write(input, x, from, WavSampleFormat.Float32);
            ExternalTools.Run("sox", input, "-e", "floating-point", "-b", "32", reference, "rate", "-v", to.ToString());
            var soxOut = WavReader.Read(reference).ToMono();
            var ours = PolyphaseResampler.ResampleAll(x, from, to);
            int n = Math.Min(soxOut.Length, ours.Length), edge = to / 20;
            double err = 0, sig = 0;
            for (int i = edge; i < n - edge; i++) { err += Math.Pow(ours[i] - soxOut[i], 2); sig += (double)soxOut[i] * soxOut[i]; }
            double db = 10 * Math.Log10(err / sig);
            output.WriteLine($"ours vs sox rate -v: {db:F1} dB (lengths {ours.Length} / {soxOut.Length})");
            Assert.True(Math.Abs(ours.Length - soxOut.Length) <= 1);
            Assert.True(db < -60, $"{db} dB");
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>Rates whose ratio has no small terms (48 kHz → 96001 Hz is 96001/48000) keep a bounded table and
    /// interpolate between its branches: a pure tone comes out as the closed-form tone at the new rate, within −100 dB.</summary>
    [Theory]
    [InlineData(96001)]
    [InlineData(767999)]
    [InlineData(44057)]
    public void OddRatesUseABoundedTableAndStayAccurate(int to)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = new PolyphaseResampler(48000, to);
        double setup = clock.Elapsed.TotalMilliseconds;
        Assert.True(r.Up > PolyphaseResampler.TablePhases);
        Assert.True(r.CoefficientCount <= (PolyphaseResampler.TablePhases + 1) * r.TapsPerPhase, $"{r.CoefficientCount} coefficients");
        const double hz = 1000.5;
        var y = PolyphaseResampler.ResampleAll(Sine(hz, 48000, 0.25), 48000, to);
        var expected = Sine(hz, to, 0.25);
        double error = 0, power = 0;
        for (int i = y.Length / 4; i < 3 * y.Length / 4; i++) { error += Math.Pow(y[i] - expected[i], 2); power += Math.Pow(expected[i], 2); }
        double db = 10 * Math.Log10(error / power);
        output.WriteLine($"48000→{to}: L = {r.Up}, {r.CoefficientCount * 4 / 1024.0:F0} KiB of coefficients, set-up {setup:F1} ms, error {db:F1} dB");
        Assert.True(db < -100, $"{db:F1} dB");
    }
}
