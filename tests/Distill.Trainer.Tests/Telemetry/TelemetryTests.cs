using System.Buffers.Binary;
using System.Text;
using Distill.Trainer.Telemetry;
using Google.Protobuf;

namespace Distill.Tests.Telemetry;

public sealed class TelemetryTests : IDisposable
{
    readonly string dir = ExternalTools.TempDir("telemetry");
    public void Dispose() => Directory.Delete(dir, true);

    [Fact]
    public void Crc32CMatchesTheStandardCheckValue() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));

    /// <summary>An independent TFRecord + Event reader: checks both CRCs of every record.</summary>
    static List<(double Wall, long Step, string? Tag, float Value, string? Version)> ReadEvents(string path)
    {
        var events = new List<(double, long, string?, float, string?)>();
        var bytes = File.ReadAllBytes(path);
        for (int at = 0; at < bytes.Length;)
        {
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
            Assert.Equal(Crc32C.Masked(bytes.AsSpan(at, 8)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8)));
            var payload = bytes.AsSpan(at + 12, (int)length).ToArray();
            Assert.Equal(Crc32C.Masked(payload), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + (int)length)));
            at += 16 + (int)length;

            double wall = 0; long step = 0; string? tag = null, version = null; float value = 0;
            var input = new CodedInputStream(payload);
            for (uint t; (t = input.ReadTag()) != 0;)
                switch (WireFormat.GetTagFieldNumber(t))
                {
                    case 1: wall = input.ReadDouble(); break;
                    case 2: step = input.ReadInt64(); break;
                    case 3: version = input.ReadString(); break;
                    case 5:
                        var summary = new CodedInputStream(input.ReadBytes().ToByteArray());
                        summary.ReadTag();
                        var v = new CodedInputStream(summary.ReadBytes().ToByteArray());
                        for (uint vt; (vt = v.ReadTag()) != 0;)
                            if (WireFormat.GetTagFieldNumber(vt) == 1) tag = v.ReadString(); else value = v.ReadFloat();
                        break;
                    default: input.SkipLastField(); break;
                }
            events.Add((wall, step, tag, value, version));
        }
        return events;
    }

    [Fact]
    public void TensorBoardEventsRoundTripThroughAnIndependentReader()
    {
        string path;
        using (var w = new TensorBoardWriter(dir, () => 1700000000.5))
        {
            w.AddScalar("train/loss", 1.25f, 3);
            w.AddScalar("codebook/utilization_l0", 87.5f, 10);
            path = w.Path;
        }
        var events = ReadEvents(path);
        Assert.Equal("brain.Event:2", events[0].Version);
        Assert.Equal(("train/loss", 1.25f, 3L), (events[1].Tag, events[1].Value, events[1].Step));
        Assert.Equal(("codebook/utilization_l0", 87.5f, 10L), (events[2].Tag, events[2].Value, events[2].Step));
        Assert.All(events, e => Assert.Equal(1700000000.5, e.Wall));
    }

    [Fact]
    public void MetricsAppendAcrossResumesWithOneHeader()
    {
        using (var log = new MetricsLog(dir, new[] { "loss", "util_l0" }, append: false))
            log.Log("train", 0, 0, new Dictionary<string, double> { ["loss"] = 1.5 });
        using (var log = new MetricsLog(dir, new[] { "loss", "util_l0" }, append: true))
        {
            log.Log("val", 0, 9, new Dictionary<string, double> { ["loss"] = double.NaN, ["util_l0"] = 50 });
            Assert.Throws<ArgumentException>(() => log.Log("train", 1, 10, new Dictionary<string, double> { ["surprise"] = 1 }));
        }
        var lines = File.ReadAllLines(Path.Combine(dir, "metrics.csv"));
        Assert.Equal(new[] { "phase,epoch,step,loss,util_l0", "train,0,0,1.5,", "val,0,9,,50" }, lines); // a value that is not a number is left blank
        var records = MetricsLog.Read(dir);
        Assert.Equal(2, records.Count);
        Assert.True(double.IsNaN(records[1].Values["loss"]));
        Assert.Equal(50, records[1].Values["util_l0"]);
    }

    [Fact]
    public void CurvesPlotIsAPng()
    {
        var records = Enumerable.Range(0, 30).SelectMany(s => new[]
        {
            new MetricRecord("train", s / 10, s, new Dictionary<string, double> { ["loss"] = 2.0 / (s + 1), ["mel_loss"] = 1.0 / (s + 1) }),
            new MetricRecord("val", s / 10, s, new Dictionary<string, double> { ["loss"] = 2.5 / (s + 1), ["util_l0"] = 40 + s, ["util_l1"] = 30 + s }),
        }).ToList();
        string png = Path.Combine(dir, "curves.png");
        TrainingCurvesPlot.Save(png, records, 800, 600);
        var bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.Equal(800, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(600, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }
}
