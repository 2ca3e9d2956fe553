using Distill.Trainer.Studio;
using Microsoft.AspNetCore.Http;

namespace Distill.Tests.Studio;

public class TrainingEventsTests
{
    /// <summary>A step with a NaN loss (an update the trainer skipped) is streamed as "NaN", and the events after it
    /// still arrive: one bad value must not cut the page's live charts off.</summary>
    [Fact]
    public async Task NonFiniteValuesNeverEndTheStream()
    {
        var events = new TrainingEvents();
        events.Add("step", new { step = 6, loss = 0.5 });
        events.Add("step", new { step = 7, loss = double.NaN, rate = double.PositiveInfinity });
        events.Add("step", new { step = 8, loss = 0.4 });
        var context = new DefaultHttpContext();
        var body = new MemoryStream();
        context.Response.Body = body;
        using var stop = new CancellationTokenSource();
        var streaming = events.Stream(context, stop.Token);
        // The stream writes what it has, then waits for more: stop it once the last event is out.
        for (int i = 0; i < 500 && !System.Text.Encoding.UTF8.GetString(body.ToArray()).Contains("\"step\":8"); i++) await Task.Delay(10);
        stop.Cancel();
        await streaming;
        string text = System.Text.Encoding.UTF8.GetString(body.ToArray());
        Assert.Contains("\"loss\":\"NaN\"", text);
        Assert.Contains("\"rate\":\"Infinity\"", text);
        Assert.Contains("\"step\":8", text);
    }
}
