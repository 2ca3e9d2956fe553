using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Distill.Runtime.Dsp;

/// <summary>
/// Streaming rational resampler: a Kaiser-windowed sinc low-pass designed at the common rate
/// in·L, split into L polyphase branches (up by L, down by M, L/M = out/in reduced). The passband
/// ends at <see cref="PassbandFraction"/> of the lower Nyquist and the stopband starts at the lower
/// Nyquist, with <see cref="StopbandDb"/> attenuation. Output sample j is aligned with input time
/// j·in/out (linear phase, no shift), which costs <see cref="LatencyInput"/> input samples of
/// look-ahead. Blocks of any size; no allocation after construction. When L is large (a rate such as 96001 Hz
/// makes it 96001) the branches are not all stored: <see cref="TablePhases"/> of them are, and each output's
/// coefficients are interpolated linearly between the two nearest, so memory and set-up stay bounded.
/// </summary>
public sealed class PolyphaseResampler
{
    public const double PassbandFraction = 0.91, StopbandDb = 100;
    /// <summary>Most branches stored exactly; past this the table is interpolated (error below −120 dB).</summary>
    public const int TablePhases = 1024;
    public int InputRate { get; }
    public int OutputRate { get; }
    public int Up { get; }
    public int Down { get; }
    public int TapsPerPhase { get; }
    public double Beta { get; }

    readonly float[] phases;    // [phase · taps + k], each branch reversed for a forward dot product
    readonly float[] blended;   // one output's interpolated coefficients (interpolated table only)
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
        long length = (long)TapsPerPhase * Up;
        centre = (length - 1) / 2;
        double cutoff = (passHz + stopHz) / 2 / ((double)inputRate * Up); // cycles per upsampled sample
        double windowNorm = Window.BesselI0(Beta);
        bool exact = Up <= TablePhases;
        int tablePhases = exact ? Up : TablePhases + 1;
        phases = new float[tablePhases * TapsPerPhase];
        blended = exact ? [] : new float[TapsPerPhase];
        for (int p = 0; p < tablePhases; p++)
            for (int k = 0; k < TapsPerPhase; k++)
            {
                // Branch p holds upsampled-domain taps n = p + k·Up (exact) or n = (p / TablePhases + k)·Up.
                double n = exact ? p + (double)k * Up : ((double)p / TablePhases + k) * Up;
                if (n > 2 * centre) continue; // past the window: zero
                double x = 2 * cutoff * (n - centre);
                double sinc = x == 0 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);
                double w = Window.KaiserAt(n, 2 * centre + 1, Beta) / windowNorm;
                phases[p * TapsPerPhase + (TapsPerPhase - 1 - k)] = (float)(Up * 2 * cutoff * sinc * w);
            }
        ringSize = (int)BitOperations.RoundUpToPowerOf2((uint)TapsPerPhase);
        history = new float[2 * ringSize];
    }

    /// <summary>Filter coefficients held: at most (<see cref="TablePhases"/> + 1) × taps, whatever the
    /// rates.</summary>
    public int CoefficientCount => phases.Length;

    /// <summary>Input samples of look-ahead before an output sample can be computed.</summary>
    public double LatencyInput => (double)centre / Up;

    public int MaxOutputFor(int inputFrames) => (int)(((long)inputFrames * Up + Down - 1) / Down) + 1;

    /// <summary>The most <see cref="InputNeeded"/> can ever ask for <paramref name="outputCount"/> outputs (the first
    /// call, which also fills the look-ahead): what a caller's input buffer must hold.</summary>
    public int MaxInputNeeded(int outputCount) =>
        outputCount <= 0 ? 0 : (int)(((long)outputCount * Down + centre) / Up) + 2;

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
            long phase = index % Up;
            // Taps cover inputs newest−T+1 … newest, contiguous in the doubled ring.
            int start = (int)((newest - TapsPerPhase + 1) & (ringSize - 1));
            var x = history.AsSpan(start, TapsPerPhase);
            var h = blended.Length == 0 ? phases.AsSpan((int)phase * TapsPerPhase, TapsPerPhase) : Blend(phase);
            output[written++] = Dot(h, x);
            nextOutput++;
        }
        return written;
    }

    /// <summary>Coefficients of branch <paramref name="phase"/> of Up, between the two stored branches around
    /// it.</summary>
    ReadOnlySpan<float> Blend(long phase)
    {
        double position = (double)phase * TablePhases / Up;
        int below = (int)position;
        float a = (float)(position - below);
        var lo = phases.AsSpan(below * TapsPerPhase, TapsPerPhase);
        var hi = phases.AsSpan((below + 1) * TapsPerPhase, TapsPerPhase);
        for (int k = 0; k < TapsPerPhase; k++) blended[k] = lo[k] + a * (hi[k] - lo[k]);
        return blended;
    }

    /// <summary>Four lanes whatever the machine's vector width, summed in a fixed order: the CLI (JIT) and the plugins
    /// (NativeAOT) must get the same bits. Four running sums, so that each add need not wait for the one before.</summary>
    static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        b = b[..a.Length]; // checked once for the unchecked loads below
        ref float a0 = ref MemoryMarshal.GetReference(a), b0 = ref MemoryMarshal.GetReference(b);
        Vector128<float> s0 = Vector128<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
        int i = 0;
        for (; i <= a.Length - 16; i += 16)
        {
            s0 += Vector128.LoadUnsafe(ref a0, (nuint)i) * Vector128.LoadUnsafe(ref b0, (nuint)i);
            s1 += Vector128.LoadUnsafe(ref a0, (nuint)i + 4) * Vector128.LoadUnsafe(ref b0, (nuint)i + 4);
            s2 += Vector128.LoadUnsafe(ref a0, (nuint)i + 8) * Vector128.LoadUnsafe(ref b0, (nuint)i + 8);
            s3 += Vector128.LoadUnsafe(ref a0, (nuint)i + 12) * Vector128.LoadUnsafe(ref b0, (nuint)i + 12);
        }
        for (; i <= a.Length - 4; i += 4)
            s0 += Vector128.LoadUnsafe(ref a0, (nuint)i) * Vector128.LoadUnsafe(ref b0, (nuint)i);
        var acc = (s0 + s1) + (s2 + s3);
        float sum = (acc.GetElement(0) + acc.GetElement(1)) + (acc.GetElement(2) + acc.GetElement(3));
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
