namespace Distill.Plugin.Vst3;

/// <summary>Whole byte arrays through a host's IBStream, whose reads and writes may be partial.</summary>
static unsafe class Vst3Stream
{
    /// <summary>No real state comes near this; a host stream that never ends must not exhaust memory.</summary>
    const int MaxBytes = 16 << 20;

    /// <returns>Everything up to the end of the stream, or null on a stream error.</returns>
    public static byte[]? ReadAll(void* stream)
    {
        if (stream == null) return null;
        var vtbl = *(BStreamVtbl**)stream;
        var bytes = new MemoryStream();
        byte* chunk = stackalloc byte[4096];
        while (true)
        {
            int read = 0;
            int result = vtbl->Read(stream, chunk, 4096, &read);
            if (result != Vst3Result.Ok && result != Vst3Result.False) return null;
            if (read <= 0) break;
            if (bytes.Length + read > MaxBytes) return null;
            bytes.Write(new ReadOnlySpan<byte>(chunk, Math.Min(read, 4096)));
        }
        return bytes.ToArray();
    }

    public static bool WriteAll(void* stream, byte[] bytes)
    {
        if (stream == null) return false;
        var vtbl = *(BStreamVtbl**)stream;
        fixed (byte* start = bytes)
            for (int done = 0; done < bytes.Length;)
            {
                int written = 0;
                if (vtbl->Write(stream, start + done, bytes.Length - done, &written) != Vst3Result.Ok || written <= 0)
                    return false;
                done += Math.Min(written, bytes.Length - done);
            }
        return true;
    }
}
