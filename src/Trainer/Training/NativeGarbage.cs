namespace Distill.Trainer.Training;

/// <summary>
/// TorchSharp 0.107 frees native objects (tensors, scalars) in .NET finalizers. A temporary whose
/// wrapper the JIT considers dead while its native call still runs can then be freed mid-call by
/// the finalizer thread: under CPU load this showed up as a corrupted Scalar crash and as runs that
/// were no longer bit-identical. Collecting at a point where no native call is in flight, before
/// each step, lets those finalizers run there instead of during the step.
/// </summary>
public static class NativeGarbage
{
    public static void CollectBetweenSteps()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }
}
