using System.Globalization;

namespace Distill.Runtime.Automation;

/// <summary>At <see cref="Seconds"/>, set <see cref="Parameter"/> to <see cref="Value"/> (in the parameter's
/// plain units). <see cref="Line"/> is the CSV line it came from, for messages.</summary>
public readonly record struct AutomationPoint(double Seconds, string Parameter, double Value, int Line);

/// <summary>Automation that cannot be used; every problem is listed, each with its line.</summary>
public sealed class AutomationFormatException(string source, IReadOnlyList<string> problems)
    : Exception($"{source}: " + string.Join(Environment.NewLine + $"{source}: ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// Automation as CSV: <c>time,parameter,value</c> rows (seconds, parameter name, number), in any order. An optional
/// first row <c>time,parameter,value</c> is a header; lines starting with <c>#</c> and blank lines are skipped;
/// fields may be wrapped in double quotes. Numbers use the invariant culture ('.' as the decimal point).
/// Parameter names are checked by the consumer, which knows them: <see cref="CheckParameters"/>.
/// </summary>
public static class AutomationCsv
{
    static readonly string[] Header = ["time", "parameter", "value"];

    public static AutomationPoint[] Read(string path)
    {
        using var reader = File.OpenText(path);
        return Parse(reader, Path.GetFileName(path));
    }

    /// <returns>The points sorted by time; rows with equal times keep their order in the file.</returns>
    public static AutomationPoint[] Parse(TextReader text, string source = "automation")
    {
        var points = new List<AutomationPoint>();
        var problems = new List<string>();
        bool first = true;
        int line = 0;
        for (string? raw; (raw = text.ReadLine()) is not null;)
        {
            line++;
            string row = raw.Trim();
            if (row.Length == 0 || row[0] == '#') continue;
            var fields = row.Split(',').Select(f => Unquote(f.Trim())).ToArray();
            bool header = first && fields.SequenceEqual(Header, StringComparer.OrdinalIgnoreCase);
            first = false;
            if (header) continue;
            if (Point(fields, line) is { } point) points.Add(point);
            else problems.Add($"line {line}: {Problem(fields)}");
        }
        if (problems.Count > 0) throw new AutomationFormatException(source, problems);
        return points.OrderBy(p => p.Seconds).ToArray(); // OrderBy is stable
    }

    static AutomationPoint? Point(string[] f, int line) =>
        f.Length == 3 && Number(f[0]) is >= 0 and var time && f[1].Length > 0 && Number(f[2]) is { } value
            ? new AutomationPoint(time, f[1], value, line) : null;

    static string Problem(string[] f) =>
        f.Length != 3 ? $"expected 3 fields (time,parameter,value), found {f.Length}" +
                        (f.Length > 3 ? " (numbers use '.' as the decimal point)" : "")
        : Number(f[0]) is not { } time ? $"'{f[0]}' is not a time in seconds"
        : time < 0 ? $"time {f[0]} is negative"
        : f[1].Length == 0 ? "the parameter name is empty"
        : $"'{f[2]}' is not a number";

    static double? Number(string field) =>
        double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v : null;

    static string Unquote(string field) =>
        field.Length >= 2 && field[0] == '"' && field[^1] == '"' ? field[1..^1].Trim() : field;

    /// <summary>Rejects points whose parameter is not in <paramref name="names"/> (case-sensitive), naming each unknown
    /// parameter once with its first line, a likely intended name, and the valid names.</summary>
    public static void CheckParameters(IEnumerable<AutomationPoint> points, IReadOnlyCollection<string> names,
                                       string source = "automation")
    {
        var problems = points.Where(p => !names.Contains(p.Parameter)).DistinctBy(p => p.Parameter)
            .Select(p => $"line {p.Line}: unknown parameter '{p.Parameter}'" +
                         (Closest(p.Parameter, names) is { } guess ? $" (did you mean '{guess}'?)" : ""))
            .ToList();
        if (problems.Count == 0) return;
        problems.Add($"valid parameters: {string.Join(", ", names)}");
        throw new AutomationFormatException(source, problems);
    }

    /// <summary>The name within edit distance 2 (ignoring case) of <paramref name="name"/>, if one is
    /// nearest.</summary>
    static string? Closest(string name, IEnumerable<string> names) =>
        names.Select(n => (Name: n, Distance: EditDistance(name.ToLowerInvariant(), n.ToLowerInvariant())))
             .Where(c => c.Distance <= 2).OrderBy(c => c.Distance).Select(c => c.Name).FirstOrDefault();

    /// <summary>Levenshtein distance: insertions, deletions and substitutions, one row at a time.</summary>
    static int EditDistance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
