using Xunit.Sdk;

namespace Distill.Tests;

/// <summary>Runs one fuzz case on a pool thread and fails, naming the case, if it throws or has not finished in
/// time. A bound that catches hangs, not a speed assertion.</summary>
static class HangGuard
{
    public static T Run<T>(string label, Func<T> work, double seconds = 20)
    {
        var task = Task.Run(work);
        try
        {
            if (!task.Wait(TimeSpan.FromSeconds(seconds))) throw new XunitException($"{label}: still running after {seconds} s");
        }
        catch (AggregateException e)
        {
            throw new XunitException($"{label}: {e.InnerException}");
        }
        return task.Result;
    }
}
