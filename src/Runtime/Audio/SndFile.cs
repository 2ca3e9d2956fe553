using System.Runtime.InteropServices;

namespace Distill.Runtime.Audio;

/// <summary>
/// FLAC, OGG/Vorbis, Opus, MP3, AIFF, CAF… through the system's libsndfile, loaded on first use.
/// When the library is absent, <see cref="IsAvailable"/> is false and callers skip such files with
/// a message naming it.
/// </summary>
public static partial class SndFile
{
    public const string LibraryName = "libsndfile.so.1";
    const int ReadMode = 0x10;
    static readonly Lazy<bool> available = new(() =>
    {
        if (!NativeLibrary.TryLoad(LibraryName, out var handle)) return false;
        NativeLibrary.Free(handle);
        return true;
    });

    public static bool IsAvailable => available.Value;

    [StructLayout(LayoutKind.Sequential)]
    struct Info
    {
        public long Frames;
        public int SampleRate, Channels, Format, Sections, Seekable;
    }

    [LibraryImport(LibraryName, EntryPoint = "sf_open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint Open(string path, int mode, ref Info info);

    [LibraryImport(LibraryName, EntryPoint = "sf_readf_float")]
    private static partial long ReadFrames(nint file, Span<float> buffer, long frames);

    [LibraryImport(LibraryName, EntryPoint = "sf_close")]
    private static partial int Close(nint file);

    [LibraryImport(LibraryName, EntryPoint = "sf_strerror")]
    private static partial nint Error(nint file);

    public static AudioClip Read(string path)
    {
        if (!IsAvailable)
            throw new AudioFormatException($"{Path.GetExtension(path)} files need {LibraryName}, " +
                                           "which is not installed (apt-get install libsndfile1)");
        using var quiet = new QuietStandardError();
        var info = new Info();
        nint file = Open(path, ReadMode, ref info);
        // libsndfile's message for data it cannot decode can claim the file is missing or a pipe; it is neither here.
        if (file == 0)
            throw new AudioFormatException(File.Exists(path)
                ? $"not a valid {Path.GetExtension(path).TrimStart('.').ToUpperInvariant()} file " +
                  "(libsndfile cannot decode it)"
                : Marshal.PtrToStringUTF8(Error(0)) ?? "libsndfile could not open the file");
        try
        {
            if (info.Channels <= 0 || info.SampleRate <= 0)
                throw new AudioFormatException("libsndfile reports no channels or no sample rate");
            // Some formats (MP3, Ogg) only estimate their length: read in blocks until the end.
            var samples = new List<float>((int)Math.Min(Math.Max(info.Frames, 0) * info.Channels, 1 << 26));
            var block = new float[4096 * info.Channels];
            long got;
            while ((got = ReadFrames(file, block, 4096)) > 0)
                samples.AddRange(block.AsSpan(0, (int)got * info.Channels));
            return new AudioClip(info.SampleRate, info.Channels, samples.ToArray());
        }
        finally
        {
            Close(file);
        }
    }
}
