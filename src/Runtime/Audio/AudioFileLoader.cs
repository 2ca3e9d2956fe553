namespace Distill.Runtime.Audio;

/// <summary>Outcome of loading one of the user's files: mono samples, or the reason it was skipped.</summary>
public sealed record AudioLoadResult(string Path, float[] Mono, int SampleRate, int Channels, double Seconds,
                                     string? SkipReason, string? Warning)
{
    public bool Ok => SkipReason is null;

    public static AudioLoadResult Skip(string path, string reason) =>
        new(path, Array.Empty<float>(), 0, 0, 0, reason, null);
}

/// <summary>
/// The one entry for reading a user's file for training. It never writes, never throws for a bad
/// file, and explains every rejection: unreadable, empty, not audio, corrupt, truncated (kept,
/// with a warning), NaN/∞ samples, silent, far beyond full scale, an unsupported sample rate, too short.
/// </summary>
public static class AudioFileLoader
{
    static readonly string[] SndFileExtensions =
        { ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff", ".aifc", ".caf", ".w64" };
    public static IReadOnlyList<string> SupportedExtensions { get; } =
        new[] { ".wav", ".wave" }.Concat(SndFileExtensions).ToArray();

    /// <summary>Peak below this (−80 dBFS) counts as silence.</summary>
    public const float SilencePeak = 1e-4f;
    /// <summary>Peak above this (+60 dBFS) is not audio at any sane gain; its spectrum would swamp, or
    /// overflow, training.</summary>
    public const float MaxPeak = 1000f;
    public const int MinSampleRate = 1000, MaxSampleRate = 768000;

    public static bool IsCandidate(string path) =>
        SupportedExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    public static AudioLoadResult Load(string path, double minSeconds = 1.0)
    {
        AudioClip clip;
        try
        {
            var info = new FileInfo(path);
            if (info.Length == 0) return AudioLoadResult.Skip(path, "empty file (0 bytes)");
            string ext = Path.GetExtension(path).ToLowerInvariant();
            if (LooksLikeWav(path)) clip = WavReader.Read(path);
            else if (ext is ".wav" or ".wave")
                return AudioLoadResult.Skip(path, "not a RIFF/WAVE file despite its .wav name");
            else if (SndFileExtensions.Contains(ext))
            {
                if (!SndFile.IsAvailable)
                    return AudioLoadResult.Skip(
                        path, $"{ext.TrimStart('.').ToUpperInvariant()} needs {SndFile.LibraryName}, " +
                              "which is not installed (apt-get install libsndfile1)");
                clip = SndFile.Read(path);
            }
            else return AudioLoadResult.Skip(path, $"not an audio file (extension {(ext.Length > 0 ? ext : "none")})");
        }
        catch (AudioFormatException e) { return AudioLoadResult.Skip(path, "corrupt or unsupported: " + e.Message); }
        catch (EndOfStreamException) { return AudioLoadResult.Skip(path, "corrupt: the file ends inside its header"); }
        catch (FileNotFoundException) when (path.Contains('\uFFFD'))
        {
            // .NET decodes names as UTF-8; one that is not cannot be turned back into the bytes that open it.
            return AudioLoadResult.Skip(path, "its name is not valid UTF-8 (shown with �), " +
                                              "so it cannot be opened: rename the file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return AudioLoadResult.Skip(path, "unreadable: " + e.Message);
        }

        if (clip.SampleRate is < MinSampleRate or > MaxSampleRate)
            return AudioLoadResult.Skip(path, $"sample rate {clip.SampleRate} Hz is outside the supported " +
                                              $"{MinSampleRate}–{MaxSampleRate} Hz");
        if (clip.Frames == 0) return AudioLoadResult.Skip(path, "no audio samples");
        var mono = clip.ToMono();
        float peak = 0;
        foreach (float v in clip.Interleaved)
        {
            if (!float.IsFinite(v)) return AudioLoadResult.Skip(path, "contains NaN or infinite samples");
            peak = Math.Max(peak, Math.Abs(v));
        }
        if (peak < SilencePeak) return AudioLoadResult.Skip(path, "silent (peak below −80 dBFS)");
        if (peak > MaxPeak)
            return AudioLoadResult.Skip(path, $"samples reach {peak:G3} ({20 * Math.Log10(peak):+0} dBFS), " +
                                              "far beyond full scale (±1): not audio, or saved with the wrong scale");
        if (clip.DurationSeconds < minSeconds)
            return AudioLoadResult.Skip(path, $"too short: {clip.DurationSeconds:F2} s, " +
                                              $"shorter than the {minSeconds:F1} s minimum");
        string? warning = clip.Truncated
            ? "truncated: the file ends before its declared length; using what is there" : null;
        return new AudioLoadResult(path, mono, clip.SampleRate, clip.Channels, clip.DurationSeconds, null, warning);
    }

    static bool LooksLikeWav(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> head = stackalloc byte[4];
        return s.Read(head) == 4
               && (head.SequenceEqual("RIFF"u8) || head.SequenceEqual("RF64"u8) || head.SequenceEqual("RIFX"u8));
    }
}
