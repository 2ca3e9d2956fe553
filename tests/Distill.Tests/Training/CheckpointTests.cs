using Distill.Trainer.Training;
using TorchSharp;

namespace Distill.Tests.Training;

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
}
