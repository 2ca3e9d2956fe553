using System.Numerics;

namespace Distill.Runtime.Dsp;

/// <summary>
/// Streaming rational resampler: a Kaiser-windowed sinc low-pass designed at the common rate
/// in·L, split into L polyphase branches (up by L, down by M, L/M = out/in reduced). The passband
/// ends at <see cref="PassbandFraction"/> of the lower Nyquist and the stopband starts at the lower
/// Nyquist, with <see cref="StopbandDb"/> attenuation. Output sample j is aligned with input time
/// j·in/out (linear phase, no shift), which costs <see cref="LatencyInput"/> input samples of
/// look-ahead. Blocks of any size; no allocation after construction.
/// </summary>
public sealed class PolyphaseResampler
{
    public const double PassbandFraction = 0.91, StopbandDb = 100;
    public int InputRate { get; }
    public int OutputRate { get; }
    public int Up { get; }
    public int Down { get; }
    public int TapsPerPhase { get; }
    public double Beta { get; }

    readonly float[] phases;    // [phase · taps + k], each branch reversed for a forward dot product
    readonly float[] history;   // doubled ring: sample i at (i mod size) and (i mod size) + size
    readonly int ringSize;
    readonly long centre;       // filter centre in the upsampled domain
    long inputCount;            // samples received so far
    long nextOutput;            // index of the next output sample

    public PolyphaseResampler(int inputRate, int outputRate)
    {
        if (inputRate <= 0 || outputRate <= 0) throw new ArgumentException("sample rates must be positive");
        InputRate = inputRate; OutputRate = outputRate;
        int g = (int)BigInteger.GreatestCommonDivisor(inputRate, outputRate);
        Up = outputRate / g; Down = inputRate / g;

        double stopHz = Math.Min(inputRate, outputRate) / 2.0, passHz = PassbandFraction * stopHz;
        double transition = 2 * Math.PI * (stopHz - passHz) / inputRate; // rad/sample at the input rate
        TapsPerPhase = (int)Math.Ceiling((StopbandDb - 7.95) / (2.285 * transition)) + 1;
        Beta = 0.1102 * (StopbandDb - 8.7);
        int length = TapsPerPhase * Up;
        centre = (length - 1) / 2;
        var window = Window.Kaiser((int)(2 * centre + 1), Beta);
        double cutoff = (passHz + stopHz) / 2 / ((double)inputRate * Up); // cycles per upsampled sample
        phases = new float[length];
        for (int n = 0; n <= 2 * centre; n++)
        {
            double x = 2 * cutoff * (n - centre);
            double sinc = x == 0 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);
            double h = Up * 2 * cutoff * sinc * window[n];
            int phase = n % Up, k = n / Up;
            phases[phase * TapsPerPhase + (TapsPerPhase - 1 - k)] = (float)h;
        }
        ringSize = (int)BitOperations.RoundUpToPowerOf2((uint)TapsPerPhase);
        history = new float[2 * ringSize];
    }

    /// <summary>Input samples of look-ahead before an output sample can be computed.</summary>
    public double LatencyInput => (double)centre / Up;

    public int MaxOutputFor(int inputFrames) => (int)(((long)inputFrames * Up + Down - 1) / Down) + 1;

    /// <summary>For pulling a fixed amount of output (an audio callback): how many more input samples
    /// must be passed to <see cref="Process"/> before <paramref name="outputCount"/> more outputs exist.
    /// With an output span of exactly that length, Process then writes exactly that many.</summary>
    public int InputNeeded(int outputCount)
    {
        if (outputCount <= 0) return 0;
        long last = nextOutput + outputCount - 1;
        long newest = (last * Down + centre) / Up;  // latest input sample the last output needs
        return (int)Math.Max(0, newest + 1 - inputCount);
    }

    public void Reset()
    {
        Array.Clear(history);
        inputCount = 0; nextOutput = 0;
    }

    /// <summary>Consumes all of <paramref name="input"/>, writes every output sample that became
    /// computable (up to the length of <paramref name="output"/>: at most
    /// <see cref="MaxOutputFor"/>(input.Length) plus any left over from a shorter span before), and
    /// returns how many.</summary>
    public int Process(ReadOnlySpan<float> input, Span<float> output)
    {
        // Outputs a shorter span left behind come first, before new input overwrites their history.
        int written = Drain(output);
        foreach (float sample in input)
        {
            int slot = (int)(inputCount & (ringSize - 1));
            history[slot] = sample;
            history[slot + ringSize] = sample;
            inputCount++;
            written += Drain(output[written..]);
        }
        return written;
    }

    int Drain(Span<float> output)
    {
        int written = 0;
        while (written < output.Length)
        {
            long index = nextOutput * Down + centre;
            long newest = index / Up;           // latest input sample this output needs
            if (newest >= inputCount) break;
            int phase = (int)(index % Up);
            // Taps cover inputs newest−T+1 … newest, contiguous in the doubled ring.
            int start = (int)((newest - TapsPerPhase + 1) & (ringSize - 1));
            var x = history.AsSpan(start, TapsPerPhase);
            var h = phases.AsSpan(phase * TapsPerPhase, TapsPerPhase);
            output[written++] = Dot(h, x);
            nextOutput++;
        }
        return written;
    }

    static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var acc = Vector<float>.Zero;
        int i = 0, w = Vector<float>.Count;
        for (; i <= a.Length - w; i += w) acc += new Vector<float>(a[i..]) * new Vector<float>(b[i..]);
        float sum = Vector.Dot(acc, Vector<float>.One);
        for (; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>A whole signal, time-aligned, round(len·out/in) samples long.</summary>
    public static float[] ResampleAll(ReadOnlySpan<float> x, int inputRate, int outputRate)
    {
        if (inputRate == outputRate) return x.ToArray();
        var r = new PolyphaseResampler(inputRate, outputRate);
        int length = (int)Math.Round((double)x.Length * outputRate / inputRate);
        var output = new float[r.MaxOutputFor(x.Length + r.TapsPerPhase + 64)];
        int n = r.Process(x, output);
        Span<float> zeros = stackalloc float[64];
        while (n < length) n += r.Process(zeros, output.AsSpan(n));
        return output[..length];
    }
}
