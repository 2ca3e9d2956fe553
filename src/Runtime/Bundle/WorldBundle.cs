namespace Distill.Runtime.Bundle;

/// <summary>The three ONNX graphs of a world, as bytes (OnnxRuntime loads sessions from them).</summary>
public sealed record WorldGraphFiles(byte[] Encoder, byte[] Decoder, byte[] PriorStep);

/// <summary>Largest manifest and graph a bundle may hold. Checked against the sizes the zip declares and again
/// while inflating, so a hostile file (a zip bomb) never costs more memory than this.</summary>
public sealed record BundleLimits(long ManifestBytes, long MemberBytes)
{
    public static readonly BundleLimits Default = new(64L << 20, 1L << 30);
}

/// <summary>
/// A validated <c>.distill</c> bundle: a zip holding <c>manifest.json</c> (<see cref="WorldManifest"/>) and the
/// graphs named in <see cref="WorldGraphs"/>, nothing else. Opening checks the archive, the manifest's
/// internal consistency and every graph's size and SHA-256; any problem raises one
/// <see cref="InvalidWorldException"/> listing all of them.
/// </summary>
public sealed class WorldBundle
{
    public WorldManifest Manifest { get; }
    /// <summary>The manifest's anchors with their codes decoded.</summary>
    public IReadOnlyList<AnchorTokens> Anchors { get; }
    public WorldGraphFiles Models { get; }

    internal WorldBundle(WorldManifest manifest, IReadOnlyList<AnchorTokens> anchors, WorldGraphFiles models) =>
        (Manifest, Anchors, Models) = (manifest, anchors, models);

    public static WorldBundle Open(string path, BundleLimits? limits = null)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InvalidWorldException(path, [$"cannot be read: {e.Message}"]);
        }
        using (file) return Read(file, path, limits);
    }

    /// <param name="name">How problems name the bundle (its path, usually).</param>
    public static WorldBundle Read(Stream stream, string name, BundleLimits? limits = null) =>
        BundleReader.Read(stream, name, limits ?? BundleLimits.Default);
}
