using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Distill.Runtime.Bundle;

namespace Distill.Tests.Bundle;

/// <summary>A small valid world with fake graph bytes (validation checks graphs by checksum only), and a
/// zip builder that writes whatever it is given, so tests can make bundles the writer would refuse.</summary>
static class SyntheticBundle
{
    public const int Levels = 4, Positions = 8, Codebook = 64;

    public static WorldGraphFiles Models(int seed = 1)
    {
        var random = new Random(seed);
        byte[] Bytes(int n) { var b = new byte[n]; random.NextBytes(b); return b; }
        return new WorldGraphFiles(Bytes(300), Bytes(500), Bytes(200));
    }

    public static long[] Tokens(int timeSteps, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, timeSteps * Positions * Levels).Select(_ => (long)random.Next(Codebook)).ToArray();
    }

    public static Anchor[] Anchors(int count) =>
        Enumerable.Range(0, count).Select(i => new Anchor($"clip{i:D2}", 2 + i % 5, AnchorCodes.Encode(Tokens(2 + i % 5, i)), GainDb: 1.5 * i)).ToArray();

    /// <summary>Members computed here with SHA256 directly, independently of the writer.</summary>
    public static MemberDigest[] Digests(WorldGraphFiles m) =>
    [
        Digest("encoder.onnx", m.Encoder), Digest("decoder.onnx", m.Decoder), Digest("prior_step.onnx", m.PriorStep),
    ];

    static MemberDigest Digest(string name, byte[] bytes) => new(name, bytes.Length, Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant());

    public static WorldManifest Manifest(WorldGraphFiles models, int anchors = 3) => new()
    {
        Name = "Test world",
        Producer = "distill tests",
        Created = new DateTimeOffset(2025, 5, 17, 12, 30, 0, TimeSpan.Zero),
        Audio = new AudioParameters(48000, 2048, 512, 128, 0, 24000, 1e-5f, -4.5f, 2.25f, -3f, 1.5f),
        Grid = new GridShape(Positions, 16, 48000.0 / 512 / 16),
        Quantizer = new QuantizerShape(Levels, Codebook, 32),
        Prior = new PriorShape(64, 2, 4, 16, 8, Positions * Levels, 8 * Positions * Levels, 8 * Positions * Levels - 1, 10000),
        DecoderState = [[1, 8, Positions, 2]],
        Training = new TrainingSummary
        {
            Files = anchors, Seconds = 12.5, AutoencoderSteps = 1200, ValidationLoss = 0.31, PriorSteps = 800, Seed = 7,
            CodebookHealth = Enumerable.Range(0, Levels).Select(l => new LevelHealthSummary(l, 90 - 10 * l, 40 - 5 * l, 6 + 6 * l)).ToArray(),
            PriorBits = [3.1, 3.9, 4.6, 5.2], UnigramBits = [4.8, 5.1, 5.4, 5.6],
        },
        Anchors = Anchors(anchors),
        Members = Digests(models),
    };

    public static byte[] Json(WorldManifest m) => JsonSerializer.SerializeToUtf8Bytes(m, WorldManifestJson.Default.WorldManifest);

    public static byte[] Zip(params (string Name, byte[] Bytes)[] entries)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes) in entries)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
                s.Write(bytes);
            }
        return stream.ToArray();
    }

    public static (string Name, byte[] Bytes)[] Entries(byte[] manifestJson, WorldGraphFiles m) =>
        [("manifest.json", manifestJson), ("encoder.onnx", m.Encoder), ("decoder.onnx", m.Decoder), ("prior_step.onnx", m.PriorStep)];

    public static byte[] Bundle(WorldManifest manifest, WorldGraphFiles models) => Zip(Entries(Json(manifest), models));

    public static WorldBundle Read(byte[] bundle, BundleLimits? limits = null) => WorldBundle.Read(new MemoryStream(bundle), "test.distill", limits);

    /// <summary>The problems reading <paramref name="bundle"/> reports (fails if it loads).</summary>
    public static IReadOnlyList<string> Problems(byte[] bundle, BundleLimits? limits = null) =>
        Assert.Throws<InvalidWorldException>(() => Read(bundle, limits)).Problems;
}
