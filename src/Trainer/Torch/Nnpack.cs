using System.Runtime.InteropServices;

namespace Distill.Trainer.Torch;

/// <summary>
/// Keeps libtorch off NNPACK. On CPUs NNPACK does not support (the AMD EPYC machines this project is built on) libtorch
/// tries to initialise it for every convolution of a batch of 16 or more and logs "Could not initialize NNPACK!
/// Reason: Unsupported hardware." each time: about a thousand lines in the demo's training output, which no log
/// level silences. libtorch's other convolution paths serve every shape. TorchSharp has no switch for it, so this
/// calls <c>at::globalContext().setUserEnabledNNPACK(false)</c> through libtorch's exported C++ symbols (Itanium ABI:
/// Linux and macOS; elsewhere nothing changes).
/// </summary>
static partial class Nnpack
{
    [LibraryImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static partial nint GlobalContext();

    [LibraryImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static partial void SetUserEnabledNnpack(nint context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    public static void Disable()
    {
        if (OperatingSystem.IsWindows()) return;
        try { SetUserEnabledNnpack(GlobalContext(), false); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }
}
