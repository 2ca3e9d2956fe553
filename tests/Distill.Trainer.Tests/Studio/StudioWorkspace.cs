using Distill.Runtime.Bundle;
using Distill.Runtime.Demo;

namespace Distill.Tests.Studio;

/// <summary>
/// The folder the studio tests let the studio use, made once per test run: the demo sounds, the tiny test world,
/// the same world with a 10 s anchor (for timing the editor), a corrupt bundle, a folder without audio, and a link
/// pointing out of the folder.
/// </summary>
public static class StudioWorkspace
{
    static readonly Lazy<string> Built = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Root => Built.Value;
    public const string Sounds = "sounds", World = "worlds/tiny.distill", LongWorld = "worlds/long.distill",
                        Corrupt = "worlds/corrupt.distill", Empty = "notes", Escape = "escape", InsideLink = "sounds-link";
    /// <summary>Anchor 0 of <see cref="LongWorld"/> lasts 10 s.</summary>
    public const double LongAnchorSeconds = 10;

    static string Build()
    {
        // One folder, made afresh by each test run (the runs and edits of the last one are not kept).
        string root = Path.Combine(Path.GetTempPath(), "distill-studio-tests");
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        Directory.CreateDirectory(root);
        DemoCorpus.Generate(Path.Combine(root, Sounds), seed: 1, secondsPerFile: 2.0);
        Directory.CreateDirectory(Path.Combine(root, "worlds"));
        File.Copy(TestWorld.BundlePath, Path.Combine(root, World));
        File.WriteAllBytes(Path.Combine(root, Corrupt), File.ReadAllBytes(TestWorld.BundlePath)[..2000]);
        Directory.CreateDirectory(Path.Combine(root, Empty));
        File.WriteAllText(Path.Combine(root, Empty, "readme.txt"), "no audio here");
        File.CreateSymbolicLink(Path.Combine(root, Escape), "/etc");
        File.CreateSymbolicLink(Path.Combine(root, InsideLink), Path.Combine(root, Sounds));

        // The tiny world again, its first anchor looped to 10 s: same graphs, so a valid bundle.
        var bundle = WorldBundle.Open(TestWorld.BundlePath);
        var m = bundle.Manifest;
        var first = bundle.Anchors[0];
        int steps = (int)Math.Ceiling(LongAnchorSeconds * m.Grid.StepsPerSecond), perStep = first.Tokens.Length / first.TimeSteps;
        var looped = Enumerable.Range(0, steps * perStep).Select(i => first.Tokens[i % first.Tokens.Length]).ToArray();
        var anchors = m.Anchors.ToArray();
        anchors[0] = new Anchor(first.Name + "-10s", steps, AnchorCodes.Encode(looped));
        WorldBundleWriter.Write(Path.Combine(root, LongWorld), m with { Name = "long", Anchors = anchors }, bundle.Models);
        return root;
    }
}
