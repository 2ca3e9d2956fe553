using Distill.Trainer;
using Distill.Trainer.Torch;
using TorchSharp;

namespace Distill.Tests.Torch;

[Collection(TorchCollection.Name)]
public class CheckpointTests
{
    [Fact]
    public void RoundTripsTensorsAndHeaderAtomically()
    {
        string dir = Directory.CreateTempSubdirectory("distill-ckpt").FullName;
        try
        {
            string path = Path.Combine(dir, "c.bin");
            var a = torch.randn(3, 4);
            var b = torch.tensor(new long[] { 1, -1, 7 });
            Checkpoint.Save(path, "{\"x\":1}", new[] { ("a", a), ("b", b) });
            Assert.Equal(new[] { "c.bin" }, Directory.GetFiles(dir).Select(Path.GetFileName));
            var (header, tensors) = Checkpoint.Load(path);
            Assert.Equal("{\"x\":1}", header);
            Assert.True(a.equal(tensors["a"]).all().item<bool>());
            Assert.True(b.equal(tensors["b"]).all().item<bool>());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void RejectsForeignFilesAndShapeMismatches()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "definitely not a checkpoint");
            Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
            var tensors = new Dictionary<string, torch.Tensor> { ["w"] = torch.zeros(2, 2) };
            var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.CopyNamed(tensors, "w", torch.zeros(3)));
            Assert.Contains("shape", ex.Message);
            Assert.Throws<InvalidDataException>(() => Checkpoint.CopyNamed(tensors, "missing", torch.zeros(3)));
        }
        finally { File.Delete(path); }
    }

    static string SaveTwice(string dir)
    {
        string path = Path.Combine(dir, "c.bin");
        Checkpoint.Save(path, "{\"epoch\":1}", new[] { ("w", torch.full(4, 1f)) });
        Checkpoint.Save(path, "{\"epoch\":2}", new[] { ("w", torch.full(4, 2f)) });
        return path;
    }

    [Fact]
    public void TheReplacedCheckpointIsKeptAndServesWhenTheNewestIsDamaged()
    {
        string dir = Directory.CreateTempSubdirectory("distill-ckpt").FullName;
        try
        {
            string path = SaveTwice(dir);
            Assert.Equal(["c.bin", "c.bin.prev"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
            var warnings = new List<string>();
            Assert.Equal("{\"epoch\":2}", Checkpoint.LoadNewestIntact(path, j => j, warnings.Add).Header);
            Assert.Empty(warnings);

            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
            var loaded = Checkpoint.LoadNewestIntact(path, j => j, warnings.Add);
            Assert.Equal(("{\"epoch\":1}", Checkpoint.Previous(path)), (loaded.Header, loaded.Path));
            Assert.Equal(1f, loaded.Tensors["w"][0].item<float>());
            Assert.Equal([$"{path} is damaged: its checksum does not match (the file was changed or cut short); using the previous copy, {path}.prev."], warnings);

            File.WriteAllBytes(Checkpoint.Previous(path), []);
            var e = Assert.Throws<UserFacingException>(() => Checkpoint.LoadNewestIntact(path, j => j, warnings.Add));
            Assert.Contains($"{path} is damaged", e.Message);
            Assert.Contains($"{path}.prev is not a Distill checkpoint", e.Message);
            Assert.EndsWith("No intact copy is left.", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void EveryTruncationAndByteFlipIsCaughtAsDamage()
    {
        string dir = Directory.CreateTempSubdirectory("distill-ckpt").FullName;
        try
        {
            string path = Path.Combine(dir, "c.bin");
            Checkpoint.Save(path, "{\"x\":1}", new[] { ("a", torch.randn(3, 4)), ("b", torch.tensor(new long[] { 1, -1, 7 })) });
            var valid = File.ReadAllBytes(path);
            string copy = Path.Combine(dir, "d.bin");
            for (int length = 0; length < valid.Length; length++)
            {
                File.WriteAllBytes(copy, valid[..length]);
                Assert.Throws<InvalidDataException>(() => Checkpoint.Load(copy));
            }
            for (int at = 0; at < valid.Length; at++)
            {
                var flipped = valid.ToArray();
                flipped[at] ^= (byte)(1 << (at % 8));
                File.WriteAllBytes(copy, flipped);
                Assert.Throws<InvalidDataException>(() => Checkpoint.Load(copy));
            }
        }
        finally { Directory.Delete(dir, true); }
    }
}
