using System.Buffers.Binary;
using Google.Protobuf;

namespace Distill.Trainer.Telemetry;

/// <summary>
/// Scalars in a TensorBoard event file, written without TensorFlow: TFRecord framing (length,
/// masked CRC-32C of the length, payload, masked CRC-32C of the payload) around hand-encoded
/// Event protos (wall_time 1, step 2, file_version 3, summary 5 → value 1 → {tag 1, simple_value 2}).
/// </summary>
public sealed class TensorBoardWriter : IDisposable
{
    readonly FileStream file;
    readonly Func<double> clock;

    public string Path { get; }

    public TensorBoardWriter(string logDir, Func<double>? clock = null)
    {
        this.clock = clock ?? (() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
        Directory.CreateDirectory(logDir);
        Path = System.IO.Path.Combine(logDir,
            $"events.out.tfevents.{(long)this.clock()}.{Environment.MachineName}.{Environment.ProcessId}");
        file = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
        WriteEvent(o =>
        {
            o.WriteTag(3, WireFormat.WireType.LengthDelimited);
            o.WriteString("brain.Event:2");
        }, step: 0);
    }

    public void AddScalar(string tag, float value, long step) =>
        WriteEvent(o =>
        {
            var v = new MemoryStream();
            var vo = new CodedOutputStream(v);
            vo.WriteTag(1, WireFormat.WireType.LengthDelimited); vo.WriteString(tag);
            vo.WriteTag(2, WireFormat.WireType.Fixed32); vo.WriteFloat(value);
            vo.Flush();
            var summary = new MemoryStream();
            var so = new CodedOutputStream(summary);
            so.WriteTag(1, WireFormat.WireType.LengthDelimited); so.WriteBytes(ByteString.CopyFrom(v.ToArray()));
            so.Flush();
            o.WriteTag(5, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(summary.ToArray()));
        }, step);

    void WriteEvent(Action<CodedOutputStream> body, long step)
    {
        var buffer = new MemoryStream();
        var o = new CodedOutputStream(buffer);
        o.WriteTag(1, WireFormat.WireType.Fixed64); o.WriteDouble(clock());
        o.WriteTag(2, WireFormat.WireType.Varint); o.WriteInt64(step);
        body(o);
        o.Flush();
        var payload = buffer.ToArray();
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Crc32C.Masked(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, Crc32C.Masked(payload));
        file.Write(header);
        file.Write(payload);
        file.Write(footer);
    }

    public void Flush() => file.Flush(flushToDisk: true);

    public void Dispose()
    {
        file.Flush();
        file.Dispose();
    }
}
