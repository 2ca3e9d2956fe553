using System.Runtime.InteropServices;
using System.Text.Unicode;

namespace Distill.Plugin.Interop;

/// <summary>Strings into and out of the fixed-size, NUL-terminated character arrays of plugin ABIs.</summary>
static unsafe class NativeText
{
    /// <summary>UTF-8 into <paramref name="capacity"/> bytes, truncated at a whole character,
    /// always terminated.</summary>
    public static void WriteUtf8(ReadOnlySpan<char> text, byte* destination, int capacity)
    {
        if (destination == null || capacity <= 0) return;
        Utf8.FromUtf16(text, new Span<byte>(destination, capacity - 1), out _, out int written);
        destination[written] = 0;
    }

    /// <summary>UTF-16 into <paramref name="capacity"/> chars (VST3 String128), truncated, always terminated.</summary>
    public static void WriteUtf16(ReadOnlySpan<char> text, char* destination, int capacity)
    {
        if (destination == null || capacity <= 0) return;
        int n = Math.Min(text.Length, capacity - 1);
        if (n > 0 && char.IsHighSurrogate(text[n - 1])) n--;
        text[..n].CopyTo(new Span<char>(destination, capacity));
        destination[n] = '\0';
    }

    public static string? ReadUtf8(byte* text) => text == null ? null : Marshal.PtrToStringUTF8((nint)text);

    /// <summary>At most <paramref name="capacity"/> chars up to the first NUL (hosts may fill the
    /// whole array).</summary>
    public static string? ReadUtf16(char* text, int capacity)
    {
        if (text == null) return null;
        var span = new ReadOnlySpan<char>(text, capacity);
        int end = span.IndexOf('\0');
        return new string(end < 0 ? span : span[..end]);
    }

    /// <summary>A NUL-terminated UTF-8 copy that lives as long as the process (descriptors, ids).</summary>
    public static byte* Persistent(string text) => (byte*)Marshal.StringToCoTaskMemUTF8(text);

    /// <summary>Compares a C string with a UTF-8 literal ("clap.params"u8) without allocating.</summary>
    public static bool Is(byte* text, ReadOnlySpan<byte> expected) =>
        text != null && MemoryMarshal.CreateReadOnlySpanFromNullTerminated(text).SequenceEqual(expected);
}
