using System.Buffers.Binary;
using System.Text;
using Distill.Runtime.Bundle;

namespace Distill.Tests.Bundle;

public class WorldBundleTests(Xunit.Abstractions.ITestOutputHelper output)
{
    static readonly WorldGraphFiles Models = SyntheticBundle.Models();
    static readonly WorldManifest Valid = SyntheticBundle.Manifest(Models);

    static string TempFolder() => Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "distill-bundle-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    static void AssertHas(IReadOnlyList<string> problems, params string[] fragments)
    {
        foreach (var f in fragments)
            Assert.True(problems.Any(p => p.Contains(f, StringComparison.Ordinal)), $"no problem mentions \"{f}\"; problems:\n{string.Join('\n', problems)}");
    }

    [Fact]
    public void RoundTripKeepsManifestAnchorsAndGraphs()
    {
        string folder = TempFolder();
        string path = Path.Combine(folder, "world.distill");
        var written = WorldBundleWriter.Write(path, Valid with { Members = [] }, Models);

        var bundle = WorldBundle.Open(path);

        // The writer's member digests equal those computed independently here.
        Assert.Equal(SyntheticBundle.Json(Valid), SyntheticBundle.Json(written));
        Assert.Equal(SyntheticBundle.Json(Valid), SyntheticBundle.Json(bundle.Manifest));
        Assert.Equal(Models.Encoder, bundle.Models.Encoder);
        Assert.Equal(Models.Decoder, bundle.Models.Decoder);
        Assert.Equal(Models.PriorStep, bundle.Models.PriorStep);
        Assert.Equal(3, bundle.Anchors.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal($"clip{i:D2}", bundle.Anchors[i].Name);
            Assert.Equal(SyntheticBundle.Tokens(2 + i, i), bundle.Anchors[i].Tokens);
            Assert.Equal(1.5 * i, bundle.Anchors[i].GainDb);
        }
        Directory.Delete(folder, true);
    }

    /// <summary>An anchor's spectrum corrections come back as written; one without them (a world made before) reads
    /// null.</summary>
    [Fact]
    public void SpectrumCorrectionsRoundTrip()
    {
        string folder = TempFolder();
        string path = Path.Combine(folder, "world.distill");
        var replay = Enumerable.Range(0, 128).Select(m => -24 + 36.0 * m / 127).ToArray();
        var note = Enumerable.Range(0, 128).Select(m => Math.Round(Math.Sin(m), 2)).ToArray();
        var corrected = Valid with
        {
            Members = [], Anchors = [Valid.Anchors[0] with { Spectrum = new(replay, note) }, .. Valid.Anchors[1..]],
        };
        WorldBundleWriter.Write(path, corrected, Models);
        var anchors = WorldBundle.Open(path).Anchors;
        Assert.Equal(replay, anchors[0].Spectrum!.ReplayDb);
        Assert.Equal(note, anchors[0].Spectrum!.NoteDb);
        Assert.Null(anchors[1].Spectrum);
        Directory.Delete(folder, true);
    }

    [Fact]
    public void WriterIsDeterministicAtomicAndLeavesNoTemporaryFiles()
    {
        string folder = TempFolder();
        string a = Path.Combine(folder, "a.distill"), b = Path.Combine(folder, "b.distill");
        WorldBundleWriter.Write(a, Valid, Models);
        Thread.Sleep(1100); // a wall-clock timestamp anywhere in the zip would now differ
        WorldBundleWriter.Write(b, Valid, Models);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));

        // Overwriting replaces the file whole.
        var other = SyntheticBundle.Models(seed: 2);
        WorldBundleWriter.Write(a, Valid, other);
        Assert.Equal(other.Decoder, WorldBundle.Open(a).Models.Decoder);
        Assert.Equal(new[] { "a.distill", "b.distill" }, Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        Directory.Delete(folder, true);
    }

    [Fact]
    public void WriterRefusesAManifestTheReaderWouldRejectAndWritesNothing()
    {
        string folder = TempFolder();
        string path = Path.Combine(folder, "bad.distill");
        var e = Assert.Throws<InvalidWorldException>(() => WorldBundleWriter.Write(path, Valid with { Anchors = [] }, Models));
        AssertHas(e.Problems, "no anchors");
        Assert.Contains(path, e.Message);
        Assert.Empty(Directory.GetFiles(folder));
        Directory.Delete(folder, true);
    }

    [Fact]
    public void AnchorCodesAreBase64OfLittleEndianUInt16()
    {
        // 1 → 01 00, 258 → 02 01, 65535 → FF FF: bytes 01 00 02 01 FF FF are "AQACAf//" in base64.
        Assert.Equal("AQACAf//", AnchorCodes.Encode(new long[] { 1, 258, 65535 }));
        Assert.Equal("AQACAf//", AnchorCodes.Encode(new[] { 1, 258, 65535 }));
        Assert.Equal(new long[] { 1, 258, 65535 }, AnchorCodes.Decode("AQACAf//"));
        Assert.Empty(AnchorCodes.Decode(""));
        Assert.Null(AnchorCodes.TryDecode("AQ==")); // one byte: not a whole uint16
        Assert.Null(AnchorCodes.TryDecode("not base64!"));
        Assert.Throws<ArgumentOutOfRangeException>(() => AnchorCodes.Encode(new long[] { 65536 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => AnchorCodes.Encode(new[] { -1 }));
    }

    [Fact]
    public void FilesThatAreNotZipsAreRejectedNamingTheFile()
    {
        string folder = TempFolder();
        string missing = Path.Combine(folder, "missing.distill");
        var e = Assert.Throws<InvalidWorldException>(() => WorldBundle.Open(missing));
        Assert.Contains(missing, e.Message);
        AssertHas(e.Problems, "cannot be read");
        Assert.Throws<InvalidWorldException>(() => WorldBundle.Open(folder)); // a folder, not a file

        var bundle = SyntheticBundle.Bundle(Valid, Models);
        AssertHas(SyntheticBundle.Problems(Encoding.UTF8.GetBytes("this is a text file, not a world")), "not a zip archive");
        AssertHas(SyntheticBundle.Problems([]), "not a zip archive");
        AssertHas(SyntheticBundle.Problems(bundle[..(bundle.Length / 2)]), "not a zip archive");
        Directory.Delete(folder, true);
    }

    [Theory]
    [InlineData("missing manifest", "manifest.json is missing")]
    [InlineData("missing member", "member 'decoder.onnx' is missing")]
    [InlineData("unexpected", "unexpected entry 'notes.txt'")]
    [InlineData("absolute", "entry '/etc/passwd' is an absolute path")]
    [InlineData("dotdot", "entry '../encoder.onnx' points outside the bundle")]
    [InlineData("backslash", "entry 'sub\\encoder.onnx' uses backslashes")]
    [InlineData("drive", "entry 'C:/encoder.onnx' names a drive")]
    [InlineData("duplicate", "entry 'encoder.onnx' appears more than once")]
    public void EntryProblemsAreNamed(string change, string expected)
    {
        var entries = SyntheticBundle.Entries(SyntheticBundle.Json(Valid), Models).ToList();
        switch (change)
        {
            case "missing manifest": entries.RemoveAt(0); break;
            case "missing member": entries.RemoveAt(2); break;
            case "unexpected": entries.Add(("notes.txt", [1, 2, 3])); break;
            case "absolute": entries.Add(("/etc/passwd", [1])); break;
            case "dotdot": entries.Add(("../encoder.onnx", Models.Encoder)); break;
            case "backslash": entries.Add(("sub\\encoder.onnx", Models.Encoder)); break;
            case "drive": entries.Add(("C:/encoder.onnx", Models.Encoder)); break;
            case "duplicate": entries.Add(("encoder.onnx", Models.Encoder)); break;
        }
        AssertHas(SyntheticBundle.Problems(SyntheticBundle.Zip(entries.ToArray())), expected);
    }

    [Fact]
    public void ManifestVersionTypeAndSyntaxProblemsAreNamed()
    {
        byte[] WithManifest(string json) => SyntheticBundle.Zip(SyntheticBundle.Entries(Encoding.UTF8.GetBytes(json), Models));
        string valid = Encoding.UTF8.GetString(SyntheticBundle.Json(Valid));

        AssertHas(SyntheticBundle.Problems(WithManifest("{ not json")), "manifest.json cannot be read");
        AssertHas(SyntheticBundle.Problems(WithManifest("[1, 2]")), "manifest.json is not a JSON object");
        AssertHas(SyntheticBundle.Problems(WithManifest("{}")), "no integer formatVersion");
        string current = $"\"formatVersion\": {WorldManifest.CurrentFormatVersion}";
        var newer = SyntheticBundle.Problems(WithManifest(valid.Replace(current, $"\"formatVersion\": {WorldManifest.CurrentFormatVersion + 1}")));
        AssertHas(newer, "made by a newer Distill", "update Distill");
        AssertHas(SyntheticBundle.Problems(WithManifest(valid.Replace(current, $"\"formatVersion\": {WorldManifest.CurrentFormatVersion - 1}"))),
                  "older than this Distill reads");
        AssertHas(SyntheticBundle.Problems(WithManifest(valid.Replace("distill.rvq-prior", "other.model"))), "model type 'other.model'");
        AssertHas(SyntheticBundle.Problems(WithManifest(valid.Replace("\"name\": \"Test world\",", ""))), "manifest.json cannot be read");
        AssertHas(SyntheticBundle.Problems(WithManifest(valid.Replace("\"name\": \"Test world\"", "\"name\": null"))), "manifest.json cannot be read");
        AssertHas(SyntheticBundle.Problems(WithManifest(valid.Replace("\"levels\": 4", "\"levels\": \"four\""))), "manifest.json cannot be read");
    }

    [Fact]
    public void ChecksumAndSizeMismatchesAreNamed()
    {
        var damaged = Models with { Decoder = Models.Decoder.ToArray() };
        damaged.Decoder[100] ^= 0x40;
        AssertHas(SyntheticBundle.Problems(SyntheticBundle.Bundle(Valid, damaged)), "'decoder.onnx' does not match its SHA-256", "checksum mismatch");

        var longer = Models with { PriorStep = [.. Models.PriorStep, 0] };
        AssertHas(SyntheticBundle.Problems(SyntheticBundle.Bundle(Valid, longer)), "'prior_step.onnx' is 201 bytes in the zip, but the manifest says 200 (size mismatch)");

        var unlisted = Valid with { Members = SyntheticBundle.Digests(Models)[..2] };
        AssertHas(SyntheticBundle.Problems(SyntheticBundle.Bundle(unlisted, Models)), "members does not list 'prior_step.onnx'");
    }

    [Fact]
    public void SizeLimitsHoldForDeclaredAndActualSizes()
    {
        var bundle = SyntheticBundle.Bundle(Valid, Models);
        AssertHas(SyntheticBundle.Problems(bundle, new BundleLimits(100, 1 << 20)), "'manifest.json' declares", "above the limit of 100");
        AssertHas(SyntheticBundle.Problems(bundle, new BundleLimits(1 << 20, 400)), "'decoder.onnx' declares 500 bytes, above the limit of 400");

        // A zip bomb in miniature: 1 MB of zeros that claims to be 200 bytes. Inflation stops at the declared size
        // (below the limit), and the CRC of what was read cannot match.
        var bomb = Models with { PriorStep = new byte[1 << 20] };
        var zip = SyntheticBundle.Zip(SyntheticBundle.Entries(SyntheticBundle.Json(Valid), bomb));
        ZipPatch.SetUncompressedSize(zip, "prior_step.onnx", 200);
        AssertHas(SyntheticBundle.Problems(zip, new BundleLimits(1 << 20, 4096)), "'prior_step.onnx' fails its zip CRC-32 check");

        // Sizes the manifest does not vouch for are refused before any inflation.
        ZipPatch.SetUncompressedSize(zip, "prior_step.onnx", uint.MaxValue);
        AssertHas(SyntheticBundle.Problems(zip), "'prior_step.onnx' is 4294967295 bytes in the zip, but the manifest says 200");
        var unlisted = SyntheticBundle.Zip(SyntheticBundle.Entries(SyntheticBundle.Json(Valid with { Members = SyntheticBundle.Digests(Models)[..2] }), Models));
        ZipPatch.SetUncompressedSize(unlisted, "prior_step.onnx", uint.MaxValue);
        AssertHas(SyntheticBundle.Problems(unlisted), "'prior_step.onnx' declares 4294967295 bytes, above the limit");
    }

    [Theory]
    [InlineData(1, "audio.hop must be nFft/8..nFft/2")] // one FFT per sample: a 2 s score took minutes
    [InlineData(2048, "audio.hop must be nFft/8..nFft/2")] // no overlap: the output came out at full scale
    public void HopsTheEngineCannotPlayAreRejectedEvenWhenConsistent(int hop, string expected)
    {
        var manifest = Valid with { Audio = Valid.Audio with { Hop = hop }, Grid = Valid.Grid with { StepsPerSecond = 48000.0 / hop / 16 } };
        var problems = SyntheticBundle.Problems(SyntheticBundle.Bundle(manifest, Models));
        Assert.Equal([expected], problems.Select(p => p[..expected.Length]));
    }

    [Fact]
    public void SizesBeyondTheEngineAreRejected()
    {
        AssertHas(SyntheticBundle.Problems(SyntheticBundle.Bundle(Valid with { Audio = Valid.Audio with { SampleRate = 767999, FMax = 24000 } }, Models)),
                  "audio.sampleRate must be 8000–192000 Hz");
        var cache = Valid.Prior with { Layers = 64, ContextSteps = 4096, ContextTokens = 4096 * 32, CacheSlots = 4096 * 32 - 1 };
        AssertHas(SyntheticBundle.Problems(SyntheticBundle.Bundle(Valid with { Prior = cache }, Models)), "prior cache of", "above the limit");
        AssertHas(SyntheticBundle.Problems(SyntheticBundle.Bundle(Valid with { Quantizer = Valid.Quantizer with { LatentDim = 1 << 20 } }, Models)),
                  "quantizer.latentDim must be 1..8192");
    }

    [Fact]
    public void AZipBombCostsNoMemoryAndARealMemberCostsItsSizeOnce()
    {
        // 256 MiB of zeros (256 KiB compressed) where the manifest expects the 200-byte prior graph.
        var zeros = new byte[256 << 20];
        var bomb = SyntheticBundle.Zip(SyntheticBundle.Entries(SyntheticBundle.Json(Valid), Models with { PriorStep = zeros }));
        long before = GC.GetAllocatedBytesForCurrentThread();
        AssertHas(SyntheticBundle.Problems(bomb), "'prior_step.onnx' is 268435456 bytes in the zip, but the manifest says 200");
        long bombCost = GC.GetAllocatedBytesForCurrentThread() - before;

        // The same member, vouched for by the manifest: it is inflated into one array of its size, and nothing more.
        var vouched = Models with { PriorStep = zeros };
        var honest = SyntheticBundle.Bundle(SyntheticBundle.Manifest(vouched), vouched);
        before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(zeros.Length, SyntheticBundle.Read(honest).Models.PriorStep.Length);
        long honestCost = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"256 MiB member: {bombCost / 1024.0:F0} KiB allocated when the manifest disagrees, {honestCost / 1048576.0:F1} MiB when it agrees");
        Assert.True(bombCost < 4 << 20, $"{bombCost} bytes allocated for a member that is never loaded");
        Assert.True(honestCost < zeros.Length + (16 << 20), $"{honestCost} bytes allocated to load a {zeros.Length}-byte member");
    }

    [Fact]
    public void NonFiniteTrainingValuesAreNamedNotThrownByTheSerializer()
    {
        var nan = Valid with { Training = Valid.Training with { ValidationLoss = double.NaN, PriorBits = [double.PositiveInfinity, 1, 1, 1] } };
        string path = Path.Combine(Path.GetTempPath(), $"distill-nan-{Guid.NewGuid():N}.distill");
        var e = Assert.Throws<InvalidWorldException>(() => WorldBundleWriter.Write(path, nan, Models));
        AssertHas(e.Problems, "training.validationLoss must be finite", "training bits, utilisation and perplexity must be finite");
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void EveryShapeInconsistencyIsReportedAtOnce()
    {
        var codes = SyntheticBundle.Tokens(2, 0);
        codes[5] = SyntheticBundle.Codebook; // one past the last code
        var bad = Valid with
        {
            Audio = Valid.Audio with { LogFloor = 0 },
            Grid = Valid.Grid with { StepsPerSecond = 6 },
            Prior = Valid.Prior with { CacheSlots = 256, TokensPerStep = 16, ContextTokens = 100, HeadDim = 12, KeyValueHeads = 3 },
            Anchors =
            [
                new Anchor("short", 3, AnchorCodes.Encode(SyntheticBundle.Tokens(2, 1))),
                new Anchor("outside", 2, AnchorCodes.Encode(codes)),
                new Anchor("short", 2, AnchorCodes.Encode(SyntheticBundle.Tokens(2, 2))),
                new Anchor("garbled", 2, "@@@"),
                new Anchor("", 2, AnchorCodes.Encode(SyntheticBundle.Tokens(2, 3))),
                new Anchor("blast", 2, AnchorCodes.Encode(SyntheticBundle.Tokens(2, 4)), GainDb: 61),
                new Anchor("upside-down", 2, AnchorCodes.Encode(SyntheticBundle.Tokens(2, 5)),
                           Levels: new AnchorLevels(-10, -20)),
                new Anchor("too loud", 2, AnchorCodes.Encode(SyntheticBundle.Tokens(2, 6)),
                           Levels: new AnchorLevels(-10, 21)),
                new Anchor("second above", 2, AnchorCodes.Encode(SyntheticBundle.Tokens(2, 7)),
                           Levels: new AnchorLevels(-30, -10, QuietestSecondDb: -5)),
                new Anchor("few bands", 2, AnchorCodes.Encode(SyntheticBundle.Tokens(2, 8)),
                           Spectrum: new AnchorSpectrum(new double[127], new double[128])),
                new Anchor("wild band", 2, AnchorCodes.Encode(SyntheticBundle.Tokens(2, 9)),
                           Spectrum: new AnchorSpectrum(new double[128], [.. new double[127], 60])),
            ],
        };
        var problems = SyntheticBundle.Problems(SyntheticBundle.Bundle(bad, Models));
        AssertHas(problems,
            "audio.logFloor must be between 0 and 1",
            "grid.stepsPerSecond (6) must be sampleRate / hop / framesPerStep",
            "prior.cacheSlots (256) must be contextTokens − 1 (99)",
            "prior.tokensPerStep (16) must be grid.frequencyPositions × quantizer.levels (32)",
            "prior.contextTokens (100) must be contextSteps × tokensPerStep (128)",
            "prior.headDim × heads (12 × 4) must equal prior.hidden (64)",
            "prior.keyValueHeads must divide prior.heads (4) or be 0 (is 3)",
            "anchor 'short' holds 64 codes, but 3 time steps × 32 tokens per step are 96",
            "anchor 'outside': code 64 at token 5 is outside the codebook (size 64)",
            "anchor 'short' appears twice",
            "anchor 'garbled': codes are not base64",
            "anchors[4] has no name",
            "anchor 'blast' has a gain of 61 dB (at most ±60 dB)",
            "anchor 'upside-down' has levels from -10 to -20 dB",
            "anchor 'too loud' has levels from -10 to 21 dB",
            "anchor 'second above' has a quietest second of -5 dB",
            "anchor 'few bands' has a spectrum correction that is not 128 bands within ±48 dB",
            "anchor 'wild band' has a spectrum correction that is not 128 bands within ±48 dB");
        Assert.Equal(18, problems.Count);

        AssertHas(SyntheticBundle.Problems(SyntheticBundle.Bundle(Valid with { Anchors = [] }, Models)), "no anchors");
        AssertHas(SyntheticBundle.Problems(SyntheticBundle.Bundle(Valid with { Quantizer = Valid.Quantizer with { CodebookSize = 70000 } }, Models)), "quantizer.codebookSize must be 1..65536");
    }

    [Fact]
    public void GraphShapesFollowTheManifest()
    {
        var shapes = GraphShapes.For(Valid).ToDictionary(g => g.Member);
        TensorShape Find(string member, string name) =>
            shapes[member].Inputs.Concat(shapes[member].Outputs).Single(t => t.Name == name);

        Assert.Equal(new long[] { 1, 1, 128, -1 }, Find("encoder.onnx", "log_mel").Dims);
        Assert.Equal(new long[] { 1, -1, 8, 4 }, Find("encoder.onnx", "codes").Dims);
        Assert.Equal(TensorElement.Int64, Find("decoder.onnx", "morph_codes").Element);
        Assert.Equal(new long[] { 4 }, Find("decoder.onnx", "level_gain").Dims);
        Assert.Equal(new long[] { 1, -1, 1025 }, Find("decoder.onnx", "magnitude").Dims);
        // The prior's leading dimension is the batch of voices (symbolic); one cache input per layer.
        Assert.Equal(new long[] { -1, 4, 255, 16 }, Find("prior_step.onnx", "past_keys_1").Dims);
        Assert.DoesNotContain(shapes["prior_step.onnx"].Inputs, t => t.Name == "past_keys_2");
        Assert.Equal(new long[] { -1, 255 }, Find("prior_step.onnx", "past_mask").Dims);
        Assert.Equal(new long[] { -1, 8 }, Find("prior_step.onnx", "rope_sin").Dims);
        Assert.Equal(new long[] { -1, 64 }, Find("prior_step.onnx", "logits").Dims);
        Assert.Equal(new long[] { -1, 2, 4, 1, 16 }, Find("prior_step.onnx", "new_values").Dims);
    }
}

/// <summary>Edits the sizes a zip declares, in both the local header and the central directory
/// (APPNOTE 4.3.7 / 4.3.12: uncompressed size at offsets 22 and 24).</summary>
static class ZipPatch
{
    public static void SetUncompressedSize(byte[] zip, string entry, uint size)
    {
        var name = Encoding.ASCII.GetBytes(entry);
        int patched = 0;
        for (int i = 0; i + 46 < zip.Length; i++)
        {
            uint signature = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i));
            if (signature == 0x04034b50 && zip.AsSpan(i + 30, name.Length).SequenceEqual(name) && BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(i + 26)) == name.Length)
            { BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 22), size); patched++; }
            if (signature == 0x02014b50 && zip.AsSpan(i + 46, name.Length).SequenceEqual(name) && BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(i + 28)) == name.Length)
            { BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 24), size); patched++; }
        }
        Assert.Equal(2, patched);
    }
}
