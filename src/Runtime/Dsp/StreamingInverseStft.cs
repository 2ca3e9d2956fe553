using System.Numerics;

namespace Distill.Runtime.Dsp;

/// <summary>
/// Inverse of <see cref="Stft"/> one frame at a time: each frame is windowed and overlap-added, and the
/// hop that no later frame reaches is divided by the summed squared window (1.5 for Hann 2048/512)
/// and written out. Frame t is centred on sample t·hop and reaches back N/2, so pushing it completes
/// samples [(t − LatencyFrames)·hop, +hop) with LatencyFrames = N/2/hop: output lags the frame
/// centres by N/2 samples. For a true STFT this returns the signal exactly. Allocates nothing after
/// construction.
/// </summary>
public sealed class StreamingInverseStft
{
    public int NFft { get; }
    public int Hop { get; }
    public int Bins => NFft / 2 + 1;
    /// <summary>Pushing frame t writes the hop that starts at sample (t − LatencyFrames)·hop.</summary>
    public int LatencyFrames => NFft / 2 / Hop;

    readonly RealFft fft;
    readonly float[] window;
    readonly float[] inverseNorm;   // 1 / Σ_j w²[i + j·hop], periodic in i with period hop
    readonly float[] sum;           // overlap-added frames, sample 0 = the next output sample
    readonly float[] frame;         // work buffer for the inverse transform

    public StreamingInverseStft(int nFft, int hop)
    {
        if (hop <= 0 || nFft % hop != 0) throw new ArgumentException($"hop {hop} must divide n_fft {nFft}");
        NFft = nFft; Hop = hop;
        fft = new RealFft(nFft);
        window = Array.ConvertAll(Window.Hann(nFft), w => (float)w);
        inverseNorm = new float[hop];
        for (int i = 0; i < hop; i++)
        {
            double norm = 0;
            for (int n = i; n < nFft; n += hop) norm += window[n] * (double)window[n];
            inverseNorm[i] = (float)(1 / norm);
        }
        sum = new float[nFft];
        frame = new float[nFft];
    }

    /// <summary>Window of the synthesis frames (periodic Hann), as floats.</summary>
    public ReadOnlySpan<float> SynthesisWindow => window;

    /// <summary>The overlap-added sum of the frames pushed so far over the NFft − Hop samples that
    /// follow the last output, before normalisation: what later frames will add to.</summary>
    public ReadOnlySpan<float> Pending => sum.AsSpan(0, NFft - Hop);

    /// <summary>Per-sample 1/Σw² of a complete overlap, indexed by position within a hop.</summary>
    public ReadOnlySpan<float> InverseNorm => inverseNorm;

    /// <summary>Adds one frame given as a spectrum in <see cref="Stft"/>'s layout (Bins values each)
    /// and writes the Hop samples it completes.</summary>
    public void Push(ReadOnlySpan<float> specRe, ReadOnlySpan<float> specIm, Span<float> output)
    {
        fft.Inverse(specRe, specIm, frame);
        for (int n = 0; n < NFft; n++) frame[n] *= window[n];
        PushWindowed(frame, output);
    }

    /// <summary>Adds one frame already transformed back and windowed (w·IFFT(X)), NFft samples,
    /// and writes the Hop samples it completes.</summary>
    public void PushWindowed(ReadOnlySpan<float> windowedFrame, Span<float> output)
    {
        int width = Vector<float>.Count, n = 0;
        for (; n <= NFft - width; n += width)
            (new Vector<float>(sum.AsSpan(n)) + new Vector<float>(windowedFrame[n..])).CopyTo(sum.AsSpan(n));
        for (; n < NFft; n++) sum[n] += windowedFrame[n];
        int i = 0;
        for (; i <= Hop - width; i += width)
            (new Vector<float>(sum.AsSpan(i)) * new Vector<float>(inverseNorm.AsSpan(i))).CopyTo(output[i..]);
        for (; i < Hop; i++) output[i] = sum[i] * inverseNorm[i];
        sum.AsSpan(Hop).CopyTo(sum);
        sum.AsSpan(NFft - Hop).Clear();
    }

    public void Reset() => Array.Clear(sum);

    /// <summary>Takes over the state of another instance of the same size, so that both continue identically.</summary>
    public void CopyFrom(StreamingInverseStft other)
    {
        if (other.NFft != NFft || other.Hop != Hop) throw new ArgumentException("sizes differ");
        other.sum.CopyTo(sum, 0);
    }
}
