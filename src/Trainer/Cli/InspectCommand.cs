using System.CommandLine;
using System.Globalization;
using Distill.Runtime.Bundle;
using Distill.Runtime.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Distill.Trainer.Cli;

/// <summary><c>distill inspect</c>: a <c>.distill</c> bundle's manifest as a readable summary, after full
/// validation. An invalid bundle prints every problem and exits with 1.</summary>
public static class InspectCommand
{
    const int AnchorsShown = 20;

    public static Command Create()
    {
        var world = new Argument<string>("world") { Description = "A .distill bundle." };
        var command = new Command("inspect",
            "Check a .distill world and summarise it: audio, grid, quantizer, prior, training health, anchors, " +
            "members.") { world };
        command.SetAction(parse => Inspect(parse.GetValue(world)!, AnsiConsole.Console));
        return command;
    }

    public static int Inspect(string path, IAnsiConsole console)
    {
        WorldBundle bundle;
        try
        {
            bundle = WorldBundle.Open(path);
        }
        catch (InvalidWorldException e)
        {
            Console.Error.WriteLine($"error: {e.Message}"); // plain stderr, as for every user-facing error
            return 1;
        }
        Render(bundle, new FileInfo(path).Length, console);
        return 0;
    }

    public static void Render(WorldBundle bundle, long fileBytes, IAnsiConsole console)
    {
        var m = bundle.Manifest;
        var (a, g, q, p, t) = (m.Audio, m.Grid, m.Quantizer, m.Prior, m.Training);
        console.Write(new Rule($"[bold]{Markup.Escape(DisplayText.Escape(m.Name))}[/]").LeftJustified());
        console.Write(Properties(
            ("Producer", DisplayText.Escape(m.Producer)),
            ("Created", m.Created.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)),
            ("Format", $"{m.FormatVersion} ({m.ModelType})"),
            ("Audio", $"{a.SampleRate / 1000.0:0.###} kHz, FFT {a.NFft}, hop {a.Hop} " +
                      $"({(double)a.SampleRate / a.Hop:0.##} frames/s), " +
                      $"{a.Mels} mel bands {a.FMin:0.#}–{a.FMax:0.#} Hz"),
            ("Grid", $"{g.StepsPerSecond:0.###} steps/s ({g.FramesPerStep} frames each), " +
                     $"{g.FrequencyPositions} frequency positions"),
            ("Quantizer", $"{q.Levels} levels × {q.CodebookSize} codes, latent {q.LatentDim}"),
            ("Prior", $"hidden {p.Hidden}, {p.Layers} layers, {p.Heads} heads × {p.HeadDim} " +
                      $"({p.CacheHeads} key/value), " +
                      $"context {p.ContextSteps} steps = {p.ContextTokens} tokens " +
                      $"({p.ContextSteps / g.StepsPerSecond:0.##} s)"),
            ("Training", $"{t.Files} files ({t.Seconds:0.#} s); autoencoder {t.AutoencoderSteps} steps" +
                         (t.ValidationLoss is { } loss ? $" (validation loss {loss:0.0000})" : "") +
                         $"; prior {t.PriorSteps} steps; seed {t.Seed}")));
        console.Write(LevelTable(t, q.Levels));
        console.Write(AnchorTable(bundle.Anchors, g.StepsPerSecond));
        console.Write(MemberTable(m.Members, fileBytes));
    }

    static Table Properties(params (string Key, string Value)[] rows)
    {
        var table = new Table().HideHeaders().NoBorder().AddColumn("").AddColumn("");
        foreach (var (key, value) in rows) table.AddRow(new Markup($"[bold]{key}[/]"), new Text(value));
        return table;
    }

    /// <summary>Codebook health and, where the prior beats the unigram entropy, how much it has learned.</summary>
    static Table LevelTable(TrainingSummary t, int levels)
    {
        var table = new Table().Title("Per level (coarse → fine)").AddColumn("Level")
            .AddColumn("Used %", c => c.RightAligned())
            .AddColumn("Perplexity", c => c.RightAligned()).AddColumn("Dead codes", c => c.RightAligned())
            .AddColumn("Prior bits/token", c => c.RightAligned()).AddColumn("Unigram bits", c => c.RightAligned())
            .AddColumn("Saved", c => c.RightAligned());
        static string Value<T>(T[] values, int l, Func<T, string> format) =>
            l < values.Length ? format(values[l]) : "–";
        for (int l = 0; l < levels; l++)
        {
            var health = t.CodebookHealth.FirstOrDefault(h => h.Level == l);
            string saved = l < t.PriorBits.Length && l < t.UnigramBits.Length && t.UnigramBits[l] > 0
                ? $"{100 * (1 - t.PriorBits[l] / t.UnigramBits[l]):0}%" : "–";
            Row(table, l.ToString(CultureInfo.InvariantCulture),
                health is null ? "–" : $"{health.UtilizationPercent:0.#}",
                health is null ? "–" : $"{health.Perplexity:0.#}",
                health is null ? "–" : health.DeadCodes.ToString(CultureInfo.InvariantCulture),
                Value(t.PriorBits, l, b => $"{b:0.00}"), Value(t.UnigramBits, l, b => $"{b:0.00}"), saved);
        }
        return table;
    }

    static Table AnchorTable(IReadOnlyList<AnchorTokens> anchors, double stepsPerSecond)
    {
        double total = anchors.Sum(x => x.TimeSteps) / stepsPerSecond;
        var table = new Table().Title($"Anchors: {anchors.Count} ({total:0.#} s in total)").AddColumn("Name")
            .AddColumn("Steps", c => c.RightAligned()).AddColumn("Seconds", c => c.RightAligned())
            .AddColumn("Gain dB", c => c.RightAligned()).AddColumn("Levels dB", c => c.RightAligned());
        foreach (var anchor in anchors.Take(AnchorsShown))
            Row(table, DisplayText.Escape(anchor.Name), anchor.TimeSteps.ToString(CultureInfo.InvariantCulture),
                $"{anchor.TimeSteps / stepsPerSecond:0.00}",
                anchor.GainDb.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture),
                anchor.Levels is { } levels
                    ? string.Create(CultureInfo.InvariantCulture, $"{levels.QuietestDb:0.0} … {levels.LoudestDb:0.0}") +
                      (levels.QuietestSecondDb is double second
                          ? string.Create(CultureInfo.InvariantCulture, $" (1 s ≥ {second:0.0})") : "")
                    : "–");
        if (anchors.Count > AnchorsShown) Row(table, $"… and {anchors.Count - AnchorsShown} more", "", "", "", "");
        return table;
    }

    static Table MemberTable(MemberDigest[] members, long fileBytes)
    {
        var table = new Table().Title("Members").AddColumn("Graph").AddColumn("Size", c => c.RightAligned())
            .AddColumn("SHA-256");
        foreach (var member in members) Row(table, member.Name, Bytes(member.Size), member.Sha256[..16] + "…");
        table.AddEmptyRow();
        Row(table, "graphs in total", Bytes(members.Sum(x => x.Size)), "");
        Row(table, "bundle file (compressed)", Bytes(fileBytes), "");
        return table;
    }

    static void Row(Table table, params string[] cells) => table.AddRow(cells.Select(c => (IRenderable)new Text(c)));

    static string Bytes(long n) => n switch
    {
        < 1024 => $"{n} B",
        < 1 << 20 => $"{n / 1024.0:0.0} KiB",
        < 1 << 30 => $"{n / (1024.0 * 1024):0.0} MiB",
        _ => $"{n / (1024.0 * 1024 * 1024):0.00} GiB",
    };
}
