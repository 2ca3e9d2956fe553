using Distill.Runtime.Bundle;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Distill.Runtime.Engine;

namespace Distill.Plugin.Core;

/// <summary>What a host project stores for an instance: the world by name (so a project survives worlds being
/// added or removed) and every parameter by key. JSON, so it stays readable and forward-compatible.</summary>
public sealed record PluginStateData
{
    public const int CurrentVersion = 1;
    public int Version { get; init; } = CurrentVersion;
    public string? World { get; init; }
    public Dictionary<string, double> Parameters { get; init; } = new();
}

[JsonSerializable(typeof(PluginStateData))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class PluginStateJson : JsonSerializerContext;

public sealed partial class DistillPlugin
{
    /// <summary>Current state as bytes (main thread).</summary>
    public byte[] SaveState()
    {
        int world = (int)GetParameter(ParameterId.World);
        var data = new PluginStateData
        {
            World = world < Worlds.Count ? Worlds[world].Name : missingWorld,
            Parameters = InstrumentParameters.All.ToDictionary(p => p.Key, p => GetParameter(p.Id)),
        };
        return JsonSerializer.SerializeToUtf8Bytes(data, PluginStateJson.Default.PluginStateData);
    }

    /// <summary>Restores saved state. Malformed or newer-version state leaves defaults and logs why;
    /// never throws.</summary>
    /// <returns>Whether the state was understood.</returns>
    public bool LoadState(ReadOnlySpan<byte> bytes)
    {
        PluginStateData? data;
        try
        {
            data = JsonSerializer.Deserialize(bytes, PluginStateJson.Default.PluginStateData);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or DecoderFallbackException)
        {
            PluginLog.Write($"state not restored (unreadable: {e.Message}); using defaults");
            RestoreDefaults();
            return false;
        }
        if (data is null || data.Version > PluginStateData.CurrentVersion || data.Version < 1)
        {
            PluginLog.Write($"state not restored (version {data?.Version.ToString() ?? "missing"}, " +
                            $"this plugin reads up to {PluginStateData.CurrentVersion}); using defaults");
            RestoreDefaults();
            return false;
        }
        RestoreDefaults();
        missingWorld = null;
        foreach (var (key, value) in data.Parameters)
            if (InstrumentParameters.ByKey(key) is { } spec) SetParameter(spec.Id, value);
        // The world is found by name: its index moves when worlds are installed or removed.
        if (data.World is { } name)
        {
            int index = Worlds.ToList().FindIndex(w => w.Name == name);
            if (index < 0)
            {
                // Silent rather than a different sound: the index past the installed worlds plays nothing.
                missingWorld = name;
                index = Worlds.Count;
                PluginLog.Write($"the project's world '{name}' is not installed in " +
                                $"{string.Join(" or ", UserFolders.WorldSearchPath)}; the instrument stays silent");
            }
            SetParameter(ParameterId.World, index);
        }
        return true;
    }

    void RestoreDefaults()
    {
        foreach (var p in InstrumentParameters.All) SetParameter(p.Id, p.Default);
    }
}
