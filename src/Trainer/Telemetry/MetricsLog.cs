using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Distill.Trainer.Telemetry;

/// <summary>One logged row: phase ("train"/"val"), epoch, step and named values.</summary>
public sealed record MetricRecord(string Phase, int Epoch, long Step, IReadOnlyDictionary<string, double> Values);

/// <summary>
/// Metrics as <c>metrics.csv</c> (fixed columns declared up front, blank where a row lacks a value or it is not finite)
/// and <c>metrics.jsonl</c> (one object per row, NaN as null), appended and flushed per row so a
/// crash loses nothing and a resumed run continues the same files.
/// </summary>
public sealed class MetricsLog : IDisposable
{
    readonly string[] columns;
    readonly StreamWriter csv, jsonl;

    public MetricsLog(string directory, IEnumerable<string> columns, bool append, string prefix = "metrics")
    {
        this.columns = columns.ToArray();
        Directory.CreateDirectory(directory);
        string csvPath = Path.Combine(directory, prefix + ".csv");
        bool writeHeader = !append || !File.Exists(csvPath) || new FileInfo(csvPath).Length == 0;
        csv = new StreamWriter(csvPath, append, new UTF8Encoding(false));
        jsonl = new StreamWriter(Path.Combine(directory, prefix + ".jsonl"), append, new UTF8Encoding(false));
        if (writeHeader)
        {
            csv.WriteLine(string.Join(',', new[] { "phase", "epoch", "step" }.Concat(this.columns)));
            csv.Flush();
        }
    }

    public void Log(string phase, int epoch, long step, IReadOnlyDictionary<string, double> values)
    {
        var unknown = values.Keys.Except(columns).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"metrics not declared as columns: {string.Join(", ", unknown)}");
        var cells = columns.Select(c => values.TryGetValue(c, out double v) && double.IsFinite(v)
            ? v.ToString("R", CultureInfo.InvariantCulture)
            : "");
        csv.WriteLine($"{phase},{epoch},{step},{string.Join(',', cells)}");
        csv.Flush();

        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("phase", phase);
            w.WriteNumber("epoch", epoch);
            w.WriteNumber("step", step);
            foreach (var (k, v) in values)
                if (double.IsFinite(v)) w.WriteNumber(k, v); else w.WriteNull(k);
            w.WriteEndObject();
        }
        jsonl.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
        jsonl.Flush();
    }

    public static IReadOnlyList<MetricRecord> Read(string directory, string prefix = "metrics")
    {
        string path = Path.Combine(directory, prefix + ".jsonl");
        if (!File.Exists(path)) return Array.Empty<MetricRecord>();
        return File.ReadLines(path).Where(l => l.Length > 0).Select(line =>
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var values = new Dictionary<string, double>();
            foreach (var p in root.EnumerateObject())
                if (p.Name is not ("phase" or "epoch" or "step"))
                    values[p.Name] = p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetDouble() : double.NaN;
            return new MetricRecord(root.GetProperty("phase").GetString()!, root.GetProperty("epoch").GetInt32(),
                                    root.GetProperty("step").GetInt64(), values);
        }).ToArray();
    }

    public void Dispose() { csv.Dispose(); jsonl.Dispose(); }
}
