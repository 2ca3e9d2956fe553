namespace Distill.Trainer.Torch;

/// <summary>
/// TorchSharp 0.107 frees native objects (tensors, scalars) in .NET finalizers, on the finalizer thread,
/// whenever a collection happens. Collecting at a point where no native call is in flight, before each
/// step, keeps that work out of the steps. (Run-to-run drift was once blamed on it; its cause was
/// libtorch reading uninitialised heap memory, fixed by <see cref="HeapFill"/>.)
/// </summary>
public static class NativeGarbage
{
    public static void CollectBetweenSteps()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }
}
