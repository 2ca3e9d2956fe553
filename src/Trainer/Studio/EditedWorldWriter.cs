using Distill.Runtime.Bundle;

namespace Distill.Trainer.Studio;

/// <summary>
/// Saves edited anchors as new anchors in a copy of the world, <c>&lt;name&gt;-edited.distill</c> beside it: the same
/// graphs, the manifest with the anchors added (named <c>&lt;anchor&gt;-edited</c>, numbered when taken), written by
/// the bundle writer, which validates it and records every member's size and SHA-256. The original is never touched.
/// </summary>
public static class EditedWorldWriter
{
    public const string Suffix = "-edited";

    public static (string Path, string[] Anchors) Save(CodeGridEdit edit)
    {
        var world = edit.World;
        var edited = edit.EditedAnchors().ToArray();
        if (edited.Length == 0)
            throw StudioRequestException.BadRequest("No anchor has been edited yet: nothing to save.");
        var manifest = world.Bundle.Manifest;
        var names = new HashSet<string>(manifest.Anchors.Select(a => a.Name));
        var added = new List<Anchor>();
        foreach (var (source, tokens) in edited)
        {
            string baseName = manifest.Anchors[source].Name + Suffix, name = baseName;
            for (int n = 2; !names.Add(name); n++) name = $"{baseName}-{n}";
            added.Add(manifest.Anchors[source] with { Name = name, Codes = AnchorCodes.Encode(tokens) });
        }
        string target = Path.Combine(Path.GetDirectoryName(world.Path)!,
                                     Path.GetFileNameWithoutExtension(world.Path) + Suffix + ".distill");
        var copy = manifest with
        {
            Name = manifest.Name + Suffix, Created = DateTimeOffset.UtcNow, Anchors = [.. manifest.Anchors, .. added],
        };
        WorldBundleWriter.Write(target, copy, world.Bundle.Models);
        return (target, added.Select(a => a.Name).ToArray());
    }
}
