using Distill.Trainer.Data;
using Xunit.Abstractions;

namespace Distill.Tests.Data;

public sealed class FolderWalkTests(ITestOutputHelper output) : IDisposable
{
    readonly string sandbox = ExternalTools.TempDir("walk");
    public void Dispose() => Directory.Delete(sandbox, true);

    string Make(string relative, string? text = null)
    {
        string path = Path.Combine(sandbox, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (text is null) Directory.CreateDirectory(path); else File.WriteAllText(path, text);
        return path;
    }

    static string[] Names(FolderWalk walk, string root) => walk.Files.Select(f => Path.GetRelativePath(root, f)).ToArray();

    [Fact]
    public void LoopsRepeatsAndDanglingLinksAreReportedAndEveryFileIsReadOnce()
    {
        string root = Make("in");
        foreach (var name in new[] { "a.wav", "b.wav", "sub/c.wav", ".hidden.wav" }) Make("in/" + name, name);
        Directory.CreateSymbolicLink(Make("in/dirloop") + "/up", "..");
        Directory.CreateSymbolicLink(Path.Combine(root, "sub2"), "sub");
        Directory.CreateSymbolicLink(Path.Combine(root, "self"), ".");
        File.CreateSymbolicLink(Path.Combine(root, "z-again.wav"), "a.wav");
        File.CreateSymbolicLink(Path.Combine(root, "gone.wav"), "nowhere.wav");
        Make("elsewhere/d.wav", "d");
        Directory.CreateSymbolicLink(Path.Combine(root, "linked"), Path.Combine(sandbox, "elsewhere"));

        var walk = FolderWalk.Of(root);
        Assert.Equal(["a.wav", "b.wav", "linked/d.wav", "sub/c.wav"], Names(walk, root));
        var skipped = walk.Skipped.ToDictionary(s => s.RelativePath, s => s.Reason);
        Assert.Contains("links back to '.', a folder it is inside (a loop)", skipped["dirloop/up/"]);
        Assert.Contains("links back to '.'", skipped["self/"]);
        Assert.Equal("is the same folder as 'sub', already read", skipped["sub2/"]);
        Assert.Equal("the same file as 'a.wav', already read", skipped["z-again.wav"]);
        Assert.Contains("a link to 'nowhere.wav', which does not exist", skipped["gone.wav"]);
        Assert.Equal(5, walk.Skipped.Count);
    }

    /// <summary>Random trees of folders, files and links (to ancestors, siblings, outside, themselves, nowhere): the
    /// walk ends; names no real file twice; finds every file that lies in the folder itself; lists only real files.</summary>
    [Fact]
    public void RandomTreesWithLinksAreWalkedOnceAndCompletely()
    {
        var random = new Random(2024);
        int totalFiles = 0, totalSkipped = 0;
        const int trees = 60;
        for (int t = 0; t < trees; t++)
        {
            string top = Make($"t{t}"), root = Make($"t{t}/in");
            var folders = new List<string> { root, Make($"t{t}/out") };
            var everything = new List<string>(folders);
            for (int n = 0; n < 30; n++)
            {
                string parent = folders[random.Next(folders.Count)], name = Path.Combine(parent, $"e{n}");
                switch (random.Next(5))
                {
                    case 0: folders.Add(Directory.CreateDirectory(name).FullName); everything.Add(name); break;
                    case 1: File.WriteAllText(name + ".wav", $"{t}/{n}"); everything.Add(name + ".wav"); break;
                    case 2: File.WriteAllText(Path.Combine(parent, $".h{n}"), "hidden"); break;
                    case 3:
                        string target = random.Next(6) == 0 ? name + "-missing" : random.Next(6) == 0 ? name : everything[random.Next(everything.Count)];
                        bool relative = random.Next(2) == 0;
                        string text = relative ? Path.GetRelativePath(parent, target) : target;
                        if (Directory.Exists(target)) Directory.CreateSymbolicLink(name, text); else File.CreateSymbolicLink(name, text);
                        everything.Add(name);
                        break;
                    default:
                        string inner = Path.Combine(folders[random.Next(folders.Count)], $"e{n}");
                        Directory.CreateSymbolicLink(inner + "l", Path.GetRelativePath(Path.GetDirectoryName(inner)!, top));
                        break;
                }
            }

            var walk = HangGuard.Run($"tree {t}", () => FolderWalk.Of(root));
            var real = walk.Files.Select(f => RealPath.Of(f)).ToArray();
            Assert.All(real, r => Assert.True(r is not null && File.Exists(r)));
            Assert.Equal(real.Length, real.Distinct().Count());
            var missed = PhysicalFiles(root).Where(f => !real.Contains(RealPath.Of(f))).ToArray();
            Assert.True(missed.Length == 0, $"tree {t}: not found: {string.Join(", ", missed)}");
            Assert.All(walk.Skipped, s => Assert.False(string.IsNullOrWhiteSpace(s.Reason)));
            totalFiles += walk.Files.Count; totalSkipped += walk.Skipped.Count;
        }
        output.WriteLine($"{trees} random trees with links: {totalFiles} files found once each, {totalSkipped} loops, repeats and dangling links reported, 0 hangs or exceptions");
    }

    /// <summary>Non-hidden regular files under <paramref name="folder"/>, links not followed.</summary>
    static IEnumerable<string> PhysicalFiles(string folder) =>
        Directory.GetFiles(folder).Where(f => new FileInfo(f).LinkTarget is null && !Path.GetFileName(f).StartsWith('.'))
            .Concat(Directory.GetDirectories(folder).Where(d => new DirectoryInfo(d).LinkTarget is null).SelectMany(PhysicalFiles));
}
