using TorchSharp;

namespace Distill.Trainer.Torch;

/// <summary>Thread settings are part of reproducibility: the same seed on the same machine gives
/// bit-identical weights only with the same intra-op thread count. The inter-op pool size can be
/// set once per process, before any work.</summary>
public static class TorchThreads
{
    static int interopSet;

    public static void Use(int threads)
    {
        if (Interlocked.Exchange(ref interopSet, 1) == 0)
        {
            HeapFill.ZeroNewAllocations();
            torch.set_num_interop_threads(1);
            Nnpack.Disable();
        }
        torch.set_num_threads(threads);
    }
}
