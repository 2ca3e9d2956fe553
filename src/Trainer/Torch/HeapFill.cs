using System.Runtime.InteropServices;

namespace Distill.Trainer.Torch;

/// <summary>
/// libtorch 2.10's CPU kernels read some heap memory before writing it. Its contents depend on what
/// the process freed before (GC and finalizer timing, so CPU load), which made identical training
/// runs drift apart and, with two threads, gave non-finite conv gradients (3 of 9 probes; 0 with the
/// fill). glibc's M_PERTURB makes every fresh allocation a fixed pattern (zeros here), so those reads
/// see the same values in every run: with it, four concurrent runs came out bit-identical.
/// </summary>
public static partial class HeapFill
{
    const int MallocPerturb = -6; // M_PERTURB in <malloc.h>
    const int ZeroFill = 0xFF;    // glibc fills allocations with (value ^ 0xFF): zeros

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int option, int value);

    public static void ZeroNewAllocations()
    {
        if (!OperatingSystem.IsLinux()) return;
        try { MallOpt(MallocPerturb, ZeroFill); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { } // not glibc
    }
}
