using System.Runtime.InteropServices;
using Distill.Plugin.Core;

namespace Distill.Plugin.Clap;

/// <summary>clap.state: the core's state bytes through host streams, whose reads and writes may be partial.</summary>
static unsafe class ClapState
{
    public static readonly ClapPluginState* Extension = Create();

    /// <summary>No real state comes near this; a host stream that never ends must not exhaust memory.</summary>
    const int MaxStateBytes = 16 << 20;

    static ClapPluginState* Create()
    {
        var x = (ClapPluginState*)NativeMemory.AllocZeroed((nuint)sizeof(ClapPluginState));
        x->Save = &Save;
        x->Load = &Load;
        return x;
    }

    [UnmanagedCallersOnly]
    static byte Save(ClapPlugin* p, ClapOutputStream* stream)
    {
        try
        {
            if (ClapWrapper.From(p) is not { } w || stream == null || stream->Write == null) return 0;
            byte[] bytes = w.Plugin.SaveState();
            fixed (byte* start = bytes)
                for (int done = 0; done < bytes.Length;)
                {
                    long n = stream->Write(stream, start + done, (ulong)(bytes.Length - done));
                    if (n <= 0) return 0;
                    done += (int)Math.Min(n, bytes.Length - done);
                }
            return 1;
        }
        catch (Exception e) { PluginLog.Error("clap state.save", e); return 0; }
    }

    [UnmanagedCallersOnly]
    static byte Load(ClapPlugin* p, ClapInputStream* stream)
    {
        try
        {
            if (ClapWrapper.From(p) is not { } w || stream == null || stream->Read == null) return 0;
            var bytes = new MemoryStream();
            byte* chunk = stackalloc byte[4096];
            while (true)
            {
                long n = stream->Read(stream, chunk, 4096);
                if (n < 0 || bytes.Length + n > MaxStateBytes) return 0;
                if (n == 0) break;
                bytes.Write(new ReadOnlySpan<byte>(chunk, (int)Math.Min(n, 4096)));
            }
            return w.Plugin.LoadState(bytes.GetBuffer().AsSpan(0, (int)bytes.Length)) ? (byte)1 : (byte)0;
        }
        catch (Exception e) { PluginLog.Error("clap state.load", e); return 0; }
    }
}
