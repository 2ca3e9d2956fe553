using Distill.Runtime.Engine;

namespace Distill.Plugin.Core;

/// <summary>
/// The parameters as the format layers see them: the table (static, since hosts ask for it through callbacks that
/// have no instance) and an instance's plain values as the host last set or automated them. A value is clamped and
/// kept here once, whichever thread sets it, so the main thread reads back at once what the audio thread applies to
/// the instrument at its next block.
/// </summary>
public sealed class PluginParameters
{
    public static int Count => InstrumentParameters.All.Length;

    /// <summary>The parameter at <paramref name="index"/> in host display order.</summary>
    public static ParameterSpec At(int index) => InstrumentParameters.All[index];

    /// <summary>The parameter a host numbers <paramref name="id"/>; false for ids the instrument lacks.</summary>
    public static bool TryGet(uint id, out ParameterSpec spec) => InstrumentParameters.TryGet(id, out spec);

    /// <summary>The unit a host shows beside a value.</summary>
    public static string UnitLabel(ParameterSpec spec) => InstrumentParameters.UnitLabel(spec);

    readonly double[] values = InstrumentParameters.Defaults();

    public double this[ParameterId id] => Volatile.Read(ref values[(int)id]);

    /// <summary>Keeps <paramref name="plain"/> clamped to the parameter's range; false for an unknown id.</summary>
    public bool TrySet(uint id, double plain, out double value)
    {
        value = 0;
        if (!TryGet(id, out var spec)) return false;
        value = spec.Clamp(plain);
        Volatile.Write(ref values[id], value);
        return true;
    }
}
