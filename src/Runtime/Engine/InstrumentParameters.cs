using System.Globalization;

namespace Distill.Runtime.Engine;

/// <summary>Stable parameter ids: they are written into host projects, plugin state and automation files,
/// so they never change meaning or number.</summary>
public enum ParameterId
{
    World = 0,
    Temperature = 1,
    TopK = 2,
    TopP = 3,
    LevelTilt = 4,
    Variation = 5,
    Morph = 6,
    Depth = 7,
    StepRate = 8,
    Freeze = 9,
    Seed = 10,
    Attack = 11,
    Release = 12,
    Gain = 13,
    ModWheel = 14,
}

public enum ParameterUnit { None, Seconds, Decibels, Ratio, Percent, Levels, Index }

/// <summary>One automatable parameter: plain-value range, default, and how it reads as text.</summary>
/// <param name="Key">Name in automation files and state (lower-case, no spaces).</param>
/// <param name="Stepped">Integer values only (the host shows steps).</param>
public sealed record ParameterSpec(ParameterId Id, string Key, string Name, string Module, double Min, double Max,
                                   double Default, bool Stepped, ParameterUnit Unit, string Description)
{
    public double Clamp(double plain)
    {
        if (double.IsNaN(plain)) return Default;
        double v = Math.Clamp(plain, Min, Max);
        return Stepped ? Math.Round(v) : v;
    }

    public double ToNormalized(double plain) => Max > Min ? (Clamp(plain) - Min) / (Max - Min) : 0;
    public double FromNormalized(double normalized) => Clamp(Min + Math.Clamp(normalized, 0, 1) * (Max - Min));
}

/// <summary>The instrument's parameters, in host display order. One table for the plugin formats, offline
/// render automation and state.</summary>
public static class InstrumentParameters
{
    /// <summary>The World parameter's range is fixed per plugin instance (worlds installed when it was created);
    /// 0…<see cref="MaxWorlds"/>−1 keeps project files valid when worlds are added later.</summary>
    public const int MaxWorlds = 128;
    public const int MaxDepth = 8;

    public static readonly ParameterSpec[] All =
    [
        new(ParameterId.World, "world", "World", "World", 0, MaxWorlds - 1, 0, true, ParameterUnit.Index,
            "Which installed sound world plays (switching crossfades)."),
        new(ParameterId.Temperature, "temperature", "Temperature", "Generation", 0, 2, 0.9, false, ParameterUnit.None,
            "Prior sampling temperature: 0 always picks the most likely code, higher is wilder."),
        new(ParameterId.TopK, "top_k", "Top-k", "Generation", 0, 256, 0, true, ParameterUnit.None,
            "Sample among the k most likely codes only (0 = all)."),
        new(ParameterId.TopP, "top_p", "Top-p", "Generation", 0.05, 1, 1, false, ParameterUnit.Percent,
            "Sample within the smallest set of codes holding this probability (100 % = all)."),
        new(ParameterId.LevelTilt, "level_tilt", "Level tilt", "Generation", -1, 1, 0, false, ParameterUnit.None,
            "Per-level temperature: positive keeps coarse levels steady and lets fine detail vary; " +
            "negative the reverse."),
        new(ParameterId.Variation, "variation", "Variation", "Generation", 0, 1, 0.5, false, ParameterUnit.Percent,
            "0 replays the note's sound exactly; 1 lets the prior continue freely."),
        new(ParameterId.Morph, "morph", "Morph", "Generation", 0, 1, 0, false, ParameterUnit.Percent,
            "Blend toward the next sound of the world (in the model's latent space)."),
        new(ParameterId.Depth, "depth", "Depth", "Generation", 1, MaxDepth, MaxDepth, false, ParameterUnit.Levels,
            "How many residual-quantizer levels are decoded: fewer is coarser and smoother."),
        new(ParameterId.StepRate, "step_rate", "Step rate", "Time", 0.25, 4, 1, false, ParameterUnit.Ratio,
            "How fast the texture moves through time (pitch unchanged)."),
        new(ParameterId.Freeze, "freeze", "Freeze", "Time", 0, 1, 0, true, ParameterUnit.None,
            "Hold the current moment."),
        new(ParameterId.Seed, "seed", "Seed", "Generation", 0, 9999, 1, true, ParameterUnit.None,
            "Random seed of generation: the same seed plays the same texture."),
        new(ParameterId.Attack, "attack", "Attack", "Envelope", 0.001, 5, 0.01, false, ParameterUnit.Seconds,
            "Fade-in time of a note."),
        new(ParameterId.Release, "release", "Release", "Envelope", 0.005, 10, 0.5, false, ParameterUnit.Seconds,
            "Fade-out time after a note ends."),
        new(ParameterId.Gain, "gain", "Gain", "Output", -60, 12, 0, false, ParameterUnit.Decibels,
            "Output level."),
        new(ParameterId.ModWheel, "mod_wheel", "Mod wheel", "Generation", 0, 1, 0, false, ParameterUnit.Percent,
            "Adds up to +1 to the temperature (MIDI CC1)."),
    ];

    public static ParameterSpec Get(ParameterId id) => All[(int)id];

    /// <summary>A fresh array of every default, indexed by <see cref="ParameterId"/>.</summary>
    public static double[] Defaults() => Array.ConvertAll(All, p => p.Default);

    public static bool TryGet(uint id, out ParameterSpec spec)
    {
        spec = id < All.Length ? All[id] : null!;
        return id < All.Length;
    }

    public static ParameterSpec? ByKey(string key) => Array.Find(All, p => p.Key == key);

    /// <summary>The unit a host shows beside a value (VST3 ParameterInfo.units).</summary>
    public static string UnitLabel(ParameterSpec p) => p.Unit switch
    {
        ParameterUnit.Seconds => "s",
        ParameterUnit.Decibels => "dB",
        ParameterUnit.Ratio => "x",
        ParameterUnit.Percent => "%",
        ParameterUnit.Levels => "levels",
        ParameterUnit.Index => "#",
        _ => p.Id switch
        {
            ParameterId.TopK => "codes",
            ParameterId.Freeze => "on/off",
            ParameterId.Seed => "#",
            ParameterId.LevelTilt => "slope",
            _ => "temp",
        },
    };

    /// <summary>Display text of a plain value (the World parameter's names come from the plugin).</summary>
    public static string Format(ParameterSpec p, double plain)
    {
        double v = p.Clamp(plain);
        var c = CultureInfo.InvariantCulture;
        return p.Unit switch
        {
            ParameterUnit.Seconds => v < 1 ? $"{(v * 1000).ToString("0.#", c)} ms" : $"{v.ToString("0.00", c)} s",
            ParameterUnit.Decibels => v <= p.Min ? "-inf dB" : $"{v.ToString("+0.0;-0.0;0.0", c)} dB",
            ParameterUnit.Ratio => $"{v.ToString("0.00", c)}x",
            ParameterUnit.Percent => $"{(v * 100).ToString("0", c)} %",
            ParameterUnit.Levels => $"{v.ToString("0.0", c)} levels",
            ParameterUnit.Index => (v + 1).ToString("0", c),
            _ when p.Id == ParameterId.TopK && v == 0 => "all",
            _ when p.Id == ParameterId.Freeze => v >= 0.5 ? "on" : "off",
            _ => p.Stepped ? v.ToString("0", c) : v.ToString("0.00", c),
        };
    }

    /// <summary>Parses what <see cref="Format"/> writes (units optional, "on"/"off", "all", "-inf").</summary>
    public static bool TryParse(ParameterSpec p, string text, out double plain)
    {
        plain = p.Default;
        string t = text.Trim().ToLowerInvariant();
        if (p.Id == ParameterId.Freeze && t is "on" or "off") { plain = t == "on" ? 1 : 0; return true; }
        if (p.Id == ParameterId.TopK && t == "all") { plain = 0; return true; }
        if (p.Unit == ParameterUnit.Decibels && t.StartsWith("-inf")) { plain = p.Min; return true; }
        double scale = 1;
        foreach (var (suffix, s) in
                 new (string, double)[] { ("levels", 1), ("ms", 0.001), ("s", 1), ("db", 1), ("x", 1), ("%", 0.01) })
            if (t.EndsWith(suffix)) { t = t[..^suffix.Length].Trim(); scale = s; break; }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            return false;
        if (p.Unit == ParameterUnit.Percent && scale == 1 && v > 1) scale = 0.01; // "50" means 50 %
        if (p.Unit == ParameterUnit.Index) v -= 1;
        plain = p.Clamp(v * scale);
        return true;
    }
}
