using Distill.Plugin.Core;

namespace Distill.Tests.Plugin;

public class HostPaceTests
{
    [Fact]
    public void BlocksCalledBackToBackAreFasterThanRealTime()
    {
        var pace = new HostPace();
        pace.Reset(48000);
        for (int i = 0; i < 40; i++) { pace.BlockStarted(512, 512); pace.BlockEnded(); }
        Assert.True(pace.Fast);
    }

    [Fact]
    public void BlocksPacedByTheClockAreRealTimeEvenWhenThePluginWaitsInside()
    {
        var pace = new HostPace();
        pace.Reset(48000);
        for (int i = 0; i < 30; i++)
        {
            pace.BlockStarted(480, 480);        // 10 ms of audio
            if (i % 3 == 0) Thread.Sleep(15);   // the plugin itself busy (waiting for generation): not the host's time
            pace.BlockEnded();
            Thread.Sleep(10);                   // the host waits for its next period
        }
        Assert.False(pace.Fast);
    }

    [Fact]
    public void AFreewheelThatEndsReturnsToRealTime()
    {
        var pace = new HostPace();
        pace.Reset(48000);
        for (int i = 0; i < 40; i++) { pace.BlockStarted(480, 480); pace.BlockEnded(); }
        Assert.True(pace.Fast);
        for (int i = 0; i < 30; i++) { pace.BlockStarted(480, 480); pace.BlockEnded(); Thread.Sleep(10); }
        Assert.False(pace.Fast);
    }
}
