using Microsoft.ML.OnnxRuntime;

namespace Distill.Runtime.Inference;

/// <summary>
/// Where OnnxRuntime sessions run: the CPU, unless a program asks for CUDA before it opens a world. The CLI asks
/// when it was built with <c>-p:DistillGpu=true</c> (the CUDA OnnxRuntime package); the plugins never ask. A request
/// that cannot be met (no CUDA build, driver or device) falls back to the CPU, said once on standard error.
/// </summary>
public static class InferenceDevice
{
    /// <summary>Whether this build carries the CUDA OnnxRuntime package (<c>-p:DistillGpu=true</c>).</summary>
    public const bool CudaBuild =
#if DISTILL_GPU
        true;
#else
        false;
#endif

    static volatile bool preferCuda;

    /// <summary>Sessions opened from now on try CUDA device 0 first.</summary>
    public static bool PreferCuda { get => preferCuda; set => preferCuda = value; }

    /// <summary>A session with <see cref="RealtimeSessionOptions"/> on the preferred device.</summary>
    /// <exception cref="OnnxRuntimeException">The CPU rejects the graph too.</exception>
    public static InferenceSession Open(byte[] model)
    {
        if (preferCuda)
        {
            var env = OrtEnv.Instance();
            var level = env.EnvLogLevel;
            env.EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL; // else a failed attempt prints a second report
            try
            {
                using var cuda = RealtimeSessionOptions.Create();
                cuda.AppendExecutionProvider_CUDA(0);
                return new InferenceSession(model, cuda);
            }
            catch (OnnxRuntimeException e)
            {
                var session = OpenOnCpu(model); // a graph the CPU rejects as well is the graph's fault: that propagates
                preferCuda = false;
                string reason = e.Message.Split('\n')[0].Trim();
                Console.Error.WriteLine($"distill: no usable CUDA GPU ({reason}); inference runs on the CPU");
                return session;
            }
            finally
            {
                env.EnvLogLevel = level;
            }
        }
        return OpenOnCpu(model);
    }

    static InferenceSession OpenOnCpu(byte[] model)
    {
        using var options = RealtimeSessionOptions.Create();
        return new InferenceSession(model, options);
    }
}
