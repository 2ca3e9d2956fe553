using Microsoft.AspNetCore.Http;
using System.Text.Json;

namespace Distill.Trainer.Studio;

/// <summary>One thing a training run reported: <c>state</c>, <c>step</c>, <c>epoch</c>, <c>prior</c> or
/// <c>message</c>.</summary>
public sealed record StudioEvent(long Id, string Type, object Data);

/// <summary>
/// Everything the current training run has reported, in order, for any number of readers: a page that connects late
/// (or reconnects) replays the run from the start, so its charts are complete. Ids keep growing across runs, so a
/// connected page sees a new run's events too.
/// </summary>
public sealed class TrainingEvents
{
    /// <summary>A step whose loss or health is NaN or infinite (an update the trainer skipped) must not end the stream:
    /// such values are written as the strings "NaN", "Infinity", and the page charts them as gaps.</summary>
    static readonly JsonSerializerOptions EventJson = new(JsonBody.Options)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    readonly List<StudioEvent> events = new();
    long lastId;
    TaskCompletionSource added = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Clear()
    {
        lock (events) events.Clear();
    }

    public void Add(string type, object data)
    {
        TaskCompletionSource wake;
        lock (events)
        {
            events.Add(new StudioEvent(++lastId, type, data));
            wake = added;
            added = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        wake.SetResult();
    }

    /// <summary>Events after <paramref name="afterId"/>, and a task that completes when more arrive.</summary>
    public (StudioEvent[] Events, Task More) Since(long afterId)
    {
        lock (events) return (events.Where(e => e.Id > afterId).ToArray(), added.Task);
    }

    /// <summary>Server-sent events: each event as <c>id</c>, <c>event</c> and one JSON <c>data</c> line, until the
    /// page goes or the server stops. Every connection starts with the whole current run (the page redraws from
    /// scratch).</summary>
    public async Task Stream(HttpContext context, CancellationToken serverStopping)
    {
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-store";
        using var both = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, serverStopping);
        long last = 0;
        try
        {
            await context.Response.WriteAsync(": connected\n\n", both.Token);
            await context.Response.Body.FlushAsync(both.Token);
            while (!both.IsCancellationRequested)
            {
                var (batch, more) = Since(last);
                foreach (var e in batch)
                {
                    await context.Response.WriteAsync(
                        $"id: {e.Id}\nevent: {e.Type}\ndata: {JsonSerializer.Serialize(e.Data, EventJson)}\n\n",
                        both.Token);
                    last = e.Id;
                }
                await context.Response.Body.FlushAsync(both.Token);
                // A comment every 15 s keeps proxies and the page's connection check alive.
                await Task.WhenAny(more, Task.Delay(TimeSpan.FromSeconds(15), both.Token));
                if (!more.IsCompleted) await context.Response.WriteAsync(": alive\n\n", both.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The page closed the stream or the server is stopping: the page shows that the connection ended.
        }
    }
}
