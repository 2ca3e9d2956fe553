using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Distill.Runtime.Bundle;
using Xunit.Abstractions;

namespace Distill.Tests.Bundle;

/// <summary>
/// Seeded mutations of a valid bundle: each is either rejected with <see cref="InvalidWorldException"/> or
/// loads, and a bundle that loads must be the original world (graphs and manifest unchanged). Nothing else may
/// escape, and no case may hang.
/// </summary>
public class WorldBundleFuzzTests(ITestOutputHelper output)
{
    static readonly WorldGraphFiles Models = SyntheticBundle.Models();
    static readonly WorldManifest Valid = SyntheticBundle.Manifest(Models);
    static readonly byte[] ValidJson = SyntheticBundle.Json(Valid);
    static readonly byte[] ValidBundle = SyntheticBundle.Bundle(Valid, Models);
    /// <summary>Small limits, so that size mutations reach them.</summary>
    static readonly BundleLimits Limits = new(64 << 10, 64 << 10);

    /// <summary>The loaded bundle, or null when rejected.</summary>
    static WorldBundle? Attempt(string label, byte[] bytes) => HangGuard.Run(label, () =>
    {
        try { return SyntheticBundle.Read(bytes, Limits); }
        catch (InvalidWorldException e)
        {
            Assert.NotEmpty(e.Problems);
            return null;
        }
    });

    static void AssertIsTheOriginal(string label, WorldBundle bundle)
    {
        Assert.True(SyntheticBundle.Json(bundle.Manifest).SequenceEqual(ValidJson), $"{label}: loaded a different manifest");
        Assert.True(bundle.Models.Encoder.SequenceEqual(Models.Encoder) && bundle.Models.Decoder.SequenceEqual(Models.Decoder)
                    && bundle.Models.PriorStep.SequenceEqual(Models.PriorStep), $"{label}: loaded different graphs");
    }

    [Fact]
    public void ByteFlipsTruncationsAndInsertionsAreRejectedOrHarmless()
    {
        var random = new Random(20250517);
        int loaded = 0, rejected = 0;
        void Case(string label, byte[] bytes)
        {
            var bundle = Attempt(label, bytes);
            if (bundle is null) { rejected++; return; }
            AssertIsTheOriginal(label, bundle);
            loaded++;
        }

        for (int i = 0; i < 300; i++)
        {
            var bytes = ValidBundle.ToArray();
            int flips = 1 + random.Next(8);
            for (int f = 0; f < flips; f++) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            Case($"flip case {i}", bytes);
        }
        for (int i = 0; i < 150; i++)
        {
            int length = random.Next(ValidBundle.Length);
            Case($"truncation to {length}", ValidBundle[..length]);
        }
        for (int i = 0; i < 150; i++)
        {
            int at = random.Next(ValidBundle.Length + 1);
            var inserted = new byte[1 + random.Next(64)];
            random.NextBytes(inserted);
            Case($"insertion of {inserted.Length} at {at}", [.. ValidBundle[..at], .. inserted, .. ValidBundle[at..]]);
        }
        output.WriteLine($"{loaded + rejected} byte-level mutations of a {ValidBundle.Length}-byte bundle: {rejected} rejected, {loaded} loaded unchanged");
        Assert.True(rejected > 400, $"only {rejected} rejected");
    }

    [Fact]
    public void EntriesRenamedDuplicatedOrRemovedAreRejected()
    {
        var random = new Random(7);
        string[] names = ["manifest.json", "encoder.onnx", "decoder.onnx", "prior_step.onnx", "Manifest.json", "encoder.onnx/",
                          "../decoder.onnx", "/prior_step.onnx", "x\\encoder.onnx", "D:encoder.onnx", "extra.bin", "\u001b[31mred"];
        int cases = 0;
        for (int i = 0; i < 200; i++)
        {
            var entries = SyntheticBundle.Entries(ValidJson, Models).ToList();
            int pick = random.Next(entries.Count);
            string label;
            switch (random.Next(3))
            {
                case 0:
                    string name = names[random.Next(names.Length)];
                    if (name == entries[pick].Name) name += "2";
                    label = $"rename {entries[pick].Name} → '{name}'";
                    entries[pick] = (name, entries[pick].Bytes);
                    break;
                case 1:
                    label = $"duplicate {entries[pick].Name}";
                    entries.Insert(random.Next(entries.Count + 1), entries[pick]);
                    break;
                default:
                    label = $"remove {entries[pick].Name}";
                    entries.RemoveAt(pick);
                    break;
            }
            Assert.True(Attempt(label, SyntheticBundle.Zip(entries.ToArray())) is null, $"{label}: loaded");
            cases++;
        }
        output.WriteLine($"{cases} entry-level mutations, all rejected");
    }

    /// <summary>Fields that no rule ties to another (text for the user, training statistics, normalisation baked
    /// into the graphs, the rope base, an anchor's gain — absent in older worlds), removing a whole anchor, and removing
    /// the prior's key/value heads where they are 0 (absent in older worlds, meaning one per head, as 0 does): a
    /// plausible mutation there may load. Any other mutation must be rejected.</summary>
    static bool IsFree(string path, bool removed) =>
        removed && path.StartsWith("$.anchors[", StringComparison.Ordinal) && path.EndsWith(']')
            || removed && path == "$.prior.keyValueHeads" && Valid.Prior.KeyValueHeads == 0
            || path is "$.name" or "$.producer" or "$.quantizer.latentDim" or "$.prior.ropeBase"
            || path.StartsWith("$.audio.mel", StringComparison.Ordinal) || path.StartsWith("$.audio.magnitude", StringComparison.Ordinal)
            || path.StartsWith("$.training", StringComparison.Ordinal)
            || path.StartsWith("$.anchors", StringComparison.Ordinal)
               && (path.EndsWith(".name", StringComparison.Ordinal) || path.EndsWith(".gainDb", StringComparison.Ordinal));

    [Fact]
    public void ManifestMutatedFieldByFieldIsRejectedUnlessTheFieldIsFree()
    {
        Func<JsonNode?>[] replacements =
        [
            () => null, () => 0, () => -1, () => 2147483648L, () => 1e308, () => "text", () => true, () => new JsonArray(), () => new JsonObject(),
        ];
        int count = Nodes(JsonNode.Parse(ValidJson)!).Count();
        int loaded = 0, rejected = 0;
        for (int n = 1; n < count; n++)
            for (int r = -1; r < replacements.Length; r++)
            {
                var root = JsonNode.Parse(ValidJson)!;
                var node = Nodes(root).ElementAt(n);
                string path = node.GetPath(), label = $"{path} ← {(r < 0 ? "removed" : replacements[r]()?.ToJsonString() ?? "null")}";
                if (!Replace(node, r < 0 ? null : replacements[r](), remove: r < 0)) continue; // same value as before
                var bundle = Attempt(label, SyntheticBundle.Zip(SyntheticBundle.Entries(System.Text.Encoding.UTF8.GetBytes(root.ToJsonString()), Models)));
                if (bundle is null) { rejected++; continue; }
                Assert.True(IsFree(path, removed: r < 0), $"{label}: loaded");
                loaded++;
            }
        output.WriteLine($"{count - 1} manifest nodes, {loaded + rejected} mutations: {rejected} rejected, {loaded} loaded (free fields)");
        Assert.True(loaded > 0 && rejected > loaded);
    }

    /// <summary><paramref name="node"/> and everything below it, depth first.</summary>
    static IEnumerable<JsonNode> Nodes(JsonNode node) => node switch
    {
        JsonObject o => o.Where(p => p.Value is not null).SelectMany(p => Nodes(p.Value!)).Prepend(node),
        JsonArray a => a.Where(e => e is not null).SelectMany(e => Nodes(e!)).Prepend(node),
        _ => [node],
    };

    /// <summary>Replaces or removes <paramref name="node"/> in its parent; false when that changes nothing.</summary>
    static bool Replace(JsonNode node, JsonNode? value, bool remove)
    {
        if (!remove && JsonNode.DeepEquals(node, value)) return false;
        switch (node.Parent)
        {
            case JsonObject o when remove: o.Remove(node.GetPropertyName()); break;
            case JsonObject o: o[node.GetPropertyName()] = value; break;
            case JsonArray a when remove: a.RemoveAt(node.GetElementIndex()); break;
            case JsonArray a: a[node.GetElementIndex()] = value; break;
        }
        return true;
    }

    [Fact]
    public void HugeOrWrongDeclaredSizesAreRejected()
    {
        var random = new Random(99);
        uint[] sizes = [0, 1, 199, 201, 65536, 1u << 20, int.MaxValue, uint.MaxValue - 1, uint.MaxValue];
        string[] entries = ["manifest.json", "encoder.onnx", "decoder.onnx", "prior_step.onnx"];
        int cases = 0;
        for (int i = 0; i < 60; i++)
        {
            var bytes = ValidBundle.ToArray();
            string entry = entries[random.Next(entries.Length)];
            uint size = i < sizes.Length ? sizes[i] : (uint)random.NextInt64(uint.MaxValue + 1L);
            ZipPatch.SetUncompressedSize(bytes, entry, size);
            if (new ZipArchive(new MemoryStream(ValidBundle)).GetEntry(entry)!.Length == size) continue;
            Assert.True(Attempt($"{entry} declares {size}", bytes) is null, $"{entry} declaring {size} bytes loaded");
            cases++;
        }
        // A zip64 field is never needed for a small bundle; claiming one (0xFFFFFFFF with no extra field) is rejected too.
        output.WriteLine($"{cases} declared-size mutations, all rejected");
        Assert.True(cases > 50);
    }
}
