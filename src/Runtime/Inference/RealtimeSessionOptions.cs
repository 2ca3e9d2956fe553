using Microsoft.ML.OnnxRuntime;

namespace Distill.Runtime.Inference;

/// <summary>
/// Session settings for inference next to an audio thread: one intra-op thread that never spins (a spinning
/// pool would steal the core the host's audio thread needs), sequential execution, full graph optimisation,
/// denormals flushed to zero (decaying reverb-like activations would otherwise hit slow paths).
/// </summary>
public static class RealtimeSessionOptions
{
    public static SessionOptions Create()
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        options.AddSessionConfigEntry("session.set_denormal_as_zero", "1");
        return options;
    }
}
