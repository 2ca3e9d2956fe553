using Distill.Runtime.Bundle;
using Distill.Runtime.Inference;

namespace Distill.Trainer.Studio;

/// <summary>A validated world with its OnnxRuntime sessions, as the inspect and edit views use it.</summary>
public sealed record LoadedWorld(string Path, WorldBundle Bundle, WorldModels Models);

/// <summary>
/// Worlds the page has opened, kept loaded (sessions are costly to create) until their file changes. A run folder
/// stands for the world its training exported into it.
/// </summary>
public sealed class OpenWorlds : IDisposable
{
    readonly Dictionary<string, (DateTime Written, LoadedWorld World)> worlds = new();
    /// <summary>Every world loaded, replaced ones too: an editor may still be using those until the studio
    /// stops.</summary>
    readonly List<LoadedWorld> loaded = new();

    /// <summary>The world at <paramref name="path"/> (a real path inside the allowed root: a <c>.distill</c> file or
    /// a run folder).</summary>
    public LoadedWorld Get(string path)
    {
        string file = Directory.Exists(path) ? System.IO.Path.Combine(path, Export.WorldExport.DefaultFile) : path;
        if (!File.Exists(file))
            throw Directory.Exists(path)
                ? StudioRequestException.NotFound($"'{System.IO.Path.GetFileName(path)}' holds no " +
                                                  $"{Export.WorldExport.DefaultFile}: its training has not finished " +
                                                  "(resume it in Train).")
                : StudioRequestException.NotFound($"There is no world at '{path}'.");
        DateTime written = File.GetLastWriteTimeUtc(file);
        lock (worlds)
        {
            if (worlds.TryGetValue(file, out var known) && known.Written == written) return known.World;
            // InvalidWorldException lists every problem; the server turns it into the page's message.
            var bundle = WorldBundle.Open(file);
            var world = new LoadedWorld(file, bundle, WorldModels.Create(bundle.Manifest, bundle.Models, file));
            worlds[file] = (written, world);
            loaded.Add(world);
            return world;
        }
    }

    public void Dispose()
    {
        lock (worlds)
        {
            foreach (var world in loaded) world.Models.Dispose();
            worlds.Clear();
            loaded.Clear();
        }
    }
}
