using System.Runtime.InteropServices;

namespace Distill.Plugin.Interop;

/// <summary>Exports for the project's own test host, not for plugin hosts.</summary>
static class Diagnostics
{
    /// <summary>Bytes the plugin runtime has allocated on the calling thread: a test host reads it before and
    /// after a run of process calls on its audio thread to prove that path allocates nothing.</summary>
    [UnmanagedCallersOnly(EntryPoint = "distill_allocated_bytes")]
    public static long AllocatedBytes() => GC.GetAllocatedBytesForCurrentThread();

    /// <summary>A full collection, which also empties the calling thread's allocation context: a test host calls it
    /// before reading <see cref="AllocatedBytes"/>, so that only allocations made afterwards move the count.</summary>
    [UnmanagedCallersOnly(EntryPoint = "distill_collect_garbage")]
    public static void CollectGarbage() => GC.Collect();
}
