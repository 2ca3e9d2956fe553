using Distill.Trainer.Prior;

namespace Distill.Tests.Prior;

[Collection(TorchCollection.Name)]
public class CodeCorpusTests
{
    /// <summary>A window reads its clip as a loop, as the engine replays an anchor: past the clip's end come its first
    /// tokens again, every one a target, however short the clip.</summary>
    [Fact]
    public void WindowsWrapAroundTheirClip()
    {
        var clip = new CodeSequence("short", [10, 11, 12, 13, 14, 15], TimeSteps: 3); // 3 steps of 2 tokens
        var (inputs, targets) = CodeCorpus.Build([(clip, 2), (clip, 0)], tokensPerStep: 2, steps: 5);
        Assert.Equal([14, 15, 10, 11, 12, 13, 14, 15, 10, 11, 10, 11, 12, 13, 14, 15, 10, 11, 12, 13],
                     inputs.data<long>().ToArray());
        Assert.Equal(inputs.data<long>().ToArray(), targets.data<long>().ToArray());
    }
}
