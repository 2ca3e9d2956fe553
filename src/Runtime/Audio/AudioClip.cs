namespace Distill.Runtime.Audio;

/// <summary>Decoded audio: interleaved float samples in [−1, 1].</summary>
public sealed class AudioClip(int sampleRate, int channels, float[] interleaved)
{
    public int SampleRate { get; } = sampleRate;
    public int Channels { get; } = channels;
    public float[] Interleaved { get; } = interleaved;
    public int Frames => Interleaved.Length / Channels;
    public double DurationSeconds => (double)Frames / SampleRate;
    /// <summary>Set when the file ended before its header said it would.</summary>
    public bool Truncated { get; init; }

    /// <summary>Average of the channels.</summary>
    public float[] ToMono()
    {
        if (Channels == 1) return Interleaved;
        var mono = new float[Frames];
        for (int f = 0; f < mono.Length; f++)
        {
            float sum = 0;
            for (int c = 0; c < Channels; c++) sum += Interleaved[f * Channels + c];
            mono[f] = sum / Channels;
        }
        return mono;
    }
}

/// <summary>A file that is not audio this reader understands; the message says why, for people.</summary>
public sealed class AudioFormatException(string message) : Exception(message);
