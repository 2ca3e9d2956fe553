using Distill.Runtime.Engine;

namespace Distill.Tests.Engine;

public class WorldCatalogTests
{
    [Fact]
    public void WorldsAreOrderedByNameAndTheUsersHideTheSystemsOfTheSameName()
    {
        string user = ExternalTools.TempDir("worlds-user"), system = ExternalTools.TempDir("worlds-system");
        foreach (var (folder, name) in new[] { (user, "b-pads"), (user, "Zed"), (system, "a-winds"), (system, "b-pads"), (system, "notes.txt") })
            File.WriteAllText(Path.Combine(folder, name + (name.EndsWith(".txt") ? "" : WorldCatalog.Extension)), folder);
        var worlds = WorldCatalog.Scan(user, system, Path.Combine(user, "missing"));
        Assert.Equal(["Zed", "a-winds", "b-pads"], worlds.Select(w => w.Name)); // ordinal: upper case first
        Assert.Equal(Path.Combine(user, "b-pads.distill"), worlds.Single(w => w.Name == "b-pads").Path);
    }
}

public class SpscRingTests
{
    [Fact]
    public void WrapsAroundAndRefusesWhatDoesNotFit()
    {
        var ring = new SpscRing<int>(8);
        Assert.True(ring.TryWrite([1, 2, 3, 4, 5, 6]));
        Assert.False(ring.TryWrite([7, 8, 9]));
        var buffer = new int[4];
        Assert.Equal(4, ring.Read(buffer));
        Assert.Equal([1, 2, 3, 4], buffer);
        Assert.True(ring.TryWrite([7, 8, 9, 10, 11, 12])); // wraps
        Assert.Equal(8, ring.Count);
        Assert.Equal(1, ring.Skip(1));
        Assert.True(ring.TryPeek(out int next));
        Assert.Equal(6, next);
        var rest = new int[16];
        Assert.Equal(7, ring.Read(rest));
        Assert.Equal([6, 7, 8, 9, 10, 11, 12], rest[..7]);
        Assert.Equal(0, ring.Read(rest));
    }

    [Fact]
    public void AProducerAndAConsumerThreadPassEveryValueInOrder()
    {
        var ring = new SpscRing<long>(64);
        const long count = 2_000_000;
        var producer = new Thread(() =>
        {
            var chunk = new long[7];
            for (long v = 0; v < count;)
            {
                int n = (int)Math.Min(chunk.Length, count - v);
                for (int i = 0; i < n; i++) chunk[i] = v + i;
                if (ring.TryWrite(chunk.AsSpan(0, n))) v += n; else Thread.Yield();
            }
        });
        producer.Start();
        var buffer = new long[5];
        long expected = 0;
        while (expected < count)
        {
            int got = ring.Read(buffer);
            for (int i = 0; i < got; i++) Assert.Equal(expected++, buffer[i]);
            if (got == 0) Thread.Yield();
        }
        producer.Join();
    }
}
