using Distill.Runtime.Bundle;
using Distill.Runtime.Engine;

namespace Distill.Tests.Engine;

public class AnchorHistogramTests
{
    [Fact]
    public void EachLevelsCodeCountsSumToOne()
    {
        // 2 levels × 4 codes; tokens alternate level 0, level 1.
        long[] tokens = [0, 3, 0, 3, 1, 2, 0, 3];
        var h = AnchorHistogram.Of(tokens, levels: 2, codebookSize: 4);
        Assert.Equal([0.75f, 0.25f, 0, 0, /* level 1 */ 0, 0, 0.25f, 0.75f], h);
        Assert.All(AnchorHistogram.Of([], 2, 4), v => Assert.Equal(0, v));
    }

    [Fact]
    public void MorphBlendsTheAnchorsHistogramTowardTheTargetsOnlyWhenItMoves()
    {
        var condition = new AnchorCondition(levels: 1, codebookSize: 2);
        condition.Start(new AnchorTokens("a", 1, [0, 0]), new AnchorTokens("b", 1, [1, 1]));
        var input = new float[2];
        condition.Apply(0, input);
        Assert.Equal([1f, 0f], input);
        condition.Apply(0.25f, input);
        Assert.Equal([0.75f, 0.25f], input);
        input[0] = 9;                       // unchanged morph: nothing is rewritten
        condition.Apply(0.25f, input);
        Assert.Equal(9, input[0]);
        condition.Apply(1, input);
        Assert.Equal([0f, 1f], input);
    }
}
