using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Distill.Runtime.Bundle;
using Distill.Trainer.Pipeline;
using Distill.Trainer.Studio;
using Xunit.Abstractions;

namespace Distill.Tests.Studio;

/// <summary>One studio server on the test workspace, shared by the API tests.</summary>
public sealed class StudioApiFixture : IAsyncLifetime
{
    public StudioClient Client { get; private set; } = null!;
    public async Task InitializeAsync() => Client = await StudioClient.Start(StudioWorkspace.Root);
    public async Task DisposeAsync() => await Client.DisposeAsync();
}

/// <summary>Every endpoint of the studio's API (API.md): the token, the allowed root, request limits, clear errors, and
/// what each one does.</summary>
[Collection(TorchCollection.Name)]
public class StudioApiTests(StudioApiFixture fixture, ITestOutputHelper output) : IClassFixture<StudioApiFixture>
{
    StudioClient Studio => fixture.Client;

    static string Query(string path) => Uri.EscapeDataString(path);

    [Fact]
    public async Task EveryRequestNeedsTheToken()
    {
        Assert.StartsWith("http://127.0.0.1:", Studio.Server.Address);
        using var anonymous = new HttpClient { BaseAddress = Studio.Base };
        foreach (var path in new[] { "/", "/assets/studio.js", "/api/session", "/api/folders", "/api/train/events", "/nowhere" })
            Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.PostAsync("/api/train/stop", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync("/?token=" + new string('0', Studio.Server.Token.Value.Length))).StatusCode);
        var refused = await anonymous.GetAsync("/api/session");
        Assert.Contains("token", await refused.Content.ReadAsStringAsync());

        // The printed address works, and its cookie admits the page's later requests.
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = Studio.Base };
        var page = await browser.GetAsync(Studio.Server.Address);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Distill Studio", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/session")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/assets/uPlot.iife.min.js")).StatusCode);
    }

    [Fact]
    public async Task ThePageAndItsLibrariesAreServedByTheStudio()
    {
        string html = await Studio.Http.GetStringAsync("/");
        var assets = PageAssets.Names.Where(n => n != "index.html").ToArray();
        Assert.Contains("uPlot.iife.min.js", assets);
        foreach (var name in assets)
        {
            var response = await Studio.Http.GetAsync("/assets/" + name);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            string text = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("://", name.StartsWith("uPlot") ? "" : text.Replace("http://www.w3.org", "")); // nothing fetched from elsewhere
        }
        Assert.DoesNotContain("http", html);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc")]
    [InlineData("sounds/../../..")]
    [InlineData(StudioWorkspace.Escape)]            // a link to /etc inside the root
    [InlineData(StudioWorkspace.Escape + "/passwd")]
    public async Task PathsNeverLeaveTheAllowedFolder(string path)
    {
        var requests = new List<Task<(HttpStatusCode, JsonElement)>>
        {
            Studio.Get("/api/folders?path=" + Query(path)),
            Studio.Get("/api/world?path=" + Query(path)),
            Studio.Get($"/api/world/audio?anchor=0&path={Query(path)}"),
            Studio.Get($"/api/world/thumbnail?anchor=0&path={Query(path)}"),
            Studio.Post("/api/train/config", new { folder = path }),
            Studio.Post("/api/train/start", new { folder = StudioWorkspace.Sounds, runDir = path }),
            Studio.Post("/api/train/resume", new { runDir = path }),
            Studio.Post("/api/edit/open", new { path, tab = "t" }),
        };
        foreach (var (status, body) in await Task.WhenAll(requests))
        {
            Assert.Equal(HttpStatusCode.Forbidden, status);
            Assert.Contains("outside the folder the studio may use", body.GetProperty("error").GetString());
        }
        var (nul, nulBody) = await Studio.Get("/api/folders?path=" + Query("sounds\0/x"));
        Assert.Equal(HttpStatusCode.BadRequest, nul);
        Assert.Contains("NUL", nulBody.GetProperty("error").GetString());
    }

    [Fact]
    public async Task OversizedAndMalformedRequestsAreRefusedWithASentence()
    {
        var big = new StringContent("{\"folder\":\"" + new string('a', (int)StudioServer.MaxRequestBytes + 10) + "\"}",
                                    Encoding.UTF8, "application/json");
        // Expect: 100-continue, so the body waits for the server's word: Kestrel refuses by the declared length and
        // closes, and a client still sending the body would see a broken pipe instead of the answer.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/train/config") { Content = big };
        request.Headers.ExpectContinue = true;
        using var response = await Studio.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("larger than the studio accepts", await response.Content.ReadAsStringAsync());

        using var broken = await Studio.Http.PostAsync("/api/train/config", new StringContent("{folder:", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Contains("not the expected JSON", await broken.Content.ReadAsStringAsync());

        using var plain = await Studio.Http.PostAsync("/api/train/config", new StringContent("folder=sounds"));
        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
        Assert.Contains("must be JSON", await plain.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task FolderBrowserListsFoldersWorldsAndAudio()
    {
        var (status, root) = await Studio.Get("/api/folders");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(".", root.GetProperty("path").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("parent").ValueKind);
        var names = root.GetProperty("folders").EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToArray();
        Assert.Contains(StudioWorkspace.Sounds, names);
        Assert.Contains("worlds", names);

        var (_, sounds) = await Studio.Get("/api/folders?path=" + StudioWorkspace.Sounds);
        Assert.Equal(TestWorld.Anchors, sounds.GetProperty("audioFiles").GetInt32());
        Assert.Equal(".", sounds.GetProperty("parent").GetString());
        var (_, worlds) = await Studio.Get("/api/folders?path=worlds");
        Assert.Contains("tiny.distill", worlds.GetProperty("worlds").EnumerateArray().Select(w => w.GetProperty("name").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await Studio.Get("/api/folders?path=nothing-here")).Status);
        var (linked, viaLink) = await Studio.Get("/api/folders?path=" + StudioWorkspace.InsideLink); // a link that stays inside is fine
        Assert.Equal(HttpStatusCode.OK, linked);
        Assert.Equal(StudioWorkspace.Sounds, viaLink.GetProperty("path").GetString());
    }

    [Fact]
    public async Task ConfigurationTableMarksAutomaticAndOverriddenValues()
    {
        var (status, auto) = await Studio.Post("/api/train/config", new { folder = StudioWorkspace.Sounds });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(TestWorld.Anchors, auto.GetProperty("files").GetInt32());
        Assert.Equal("sounds-run", auto.GetProperty("runDir").GetString());
        var rows = Rows(auto);
        Assert.Equal(("64", "(auto)"), rows["codebook-size"]);
        // A few sounds make short epochs: the default is as many as the autoencoder's minimum of steps needs.
        Assert.Equal("(auto)", rows["epochs"].Item2);
        var steps = rows["steps"].Item1.Split(' ');   // "epochs × steps per epoch = total"
        Assert.Equal(rows["epochs"].Item1, steps[0]);
        Assert.InRange(int.Parse(steps[^1]), AdaptiveSizing.MinimumAutoencoderSteps,
                       AdaptiveSizing.MinimumAutoencoderSteps + int.Parse(steps[2]) - 1);

        var (_, changed) = await Studio.Post("/api/train/config", new { folder = StudioWorkspace.Sounds, overrides = new Dictionary<string, double> { ["codebook-size"] = 16, ["epochs"] = 3 } });
        rows = Rows(changed);
        Assert.Equal(("16", "(override)"), rows["codebook-size"]);
        Assert.Equal(("3", "(override)"), rows["epochs"]);
        Assert.Equal(("0.8", "(auto)"), rows["ema-decay"]);
        Assert.Equal(("0.001", "(auto)"), rows["learning-rate"]);

        var (bad, badBody) = await Studio.Post("/api/train/config", new { folder = StudioWorkspace.Sounds, overrides = new Dictionary<string, double> { ["epochs"] = 0.5 } });
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Contains("epochs must be a whole number", badBody.GetProperty("error").GetString());
        var (unknown, unknownBody) = await Studio.Post("/api/train/config", new { folder = StudioWorkspace.Sounds, overrides = new Dictionary<string, double> { ["speed"] = 2 } });
        Assert.Equal(HttpStatusCode.BadRequest, unknown);
        Assert.Contains("'speed' is not a setting", unknownBody.GetProperty("error").GetString());

        var (empty, emptyBody) = await Studio.Post("/api/train/config", new { folder = StudioWorkspace.Empty });
        Assert.Equal(HttpStatusCode.BadRequest, empty);
        Assert.Contains("No usable audio", emptyBody.GetProperty("error").GetString());
    }

    static Dictionary<string, (string, string)> Rows(JsonElement config) =>
        config.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("key").GetString()!,
                                                                  r => (r.GetProperty("value").GetString()!, r.GetProperty("source").GetString()!));

    [Fact]
    public async Task TrainingStreamsLiveAndStopSavesForResume()
    {
        string runDir = "runs/api-" + Guid.NewGuid().ToString("N")[..6];
        var (bad, badBody) = await Studio.Post("/api/train/resume", new { runDir = StudioWorkspace.Sounds });
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Contains("no checkpoint", badBody.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await Studio.Post("/api/train/stop")).Status);

        using var events = await Studio.Http.GetAsync("/api/train/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", events.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());

        var (started, _) = await Studio.Post("/api/train/start", new { folder = StudioWorkspace.Sounds, runDir, overrides = ShortRun });
        Assert.Equal(HttpStatusCode.Accepted, started);
        Assert.Equal(HttpStatusCode.Conflict, (await Studio.Post("/api/train/start", new { folder = StudioWorkspace.Sounds, runDir = runDir + "b" })).Status);
        var step = await NextEvent(reader, "step");
        Assert.True(step.GetProperty("loss").GetProperty("total").GetDouble() > 0);
        Assert.Equal(HttpStatusCode.Accepted, (await Studio.Post("/api/train/stop")).Status);
        var stopped = await WaitForState("stopped");
        output.WriteLine(stopped.ToString());
        string folder = Path.Combine(StudioWorkspace.Root, runDir);
        Assert.True(File.Exists(Path.Combine(folder, "checkpoint.bin")));
        Assert.True(File.Exists(Path.Combine(folder, "config.json")));
        var (again, againBody) = await Studio.Post("/api/train/start", new { folder = StudioWorkspace.Sounds, runDir, overrides = ShortRun });
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Contains("already holds a run", againBody.GetProperty("error").GetString());

        long before = Trainer.Pipeline.CheckpointHeader.FromJson(Trainer.Torch.Checkpoint.Load(Path.Combine(folder, "checkpoint.bin")).HeaderJson).State.NextStep;
        Assert.Equal(HttpStatusCode.Accepted, (await Studio.Post("/api/train/resume", new { runDir })).Status);
        long resumedAt;
        do resumedAt = (await NextEvent(reader, "step")).GetProperty("step").GetInt64();
        while (resumedAt < before); // the stream replays the run's earlier steps first
        Assert.Equal(before, resumedAt);
        await Studio.Post("/api/train/stop");
        await WaitForState("stopped");
    }

    /// <summary>A run that is stopped long before its end; small only so that it starts fast.</summary>
    static readonly Dictionary<string, double> ShortRun = new() { ["epochs"] = 2, ["batch-size"] = 2, ["latent-dim"] = 8, ["codebook-size"] = 16 };

    static async Task<JsonElement> NextEvent(StreamReader reader, string type)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        string? current = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ")) current = line[7..];
            else if (line.StartsWith("data: ") && current == type) return JsonDocument.Parse(line[6..]).RootElement.Clone();
        }
        throw new EndOfStreamException($"the event stream ended before a '{type}' event");
    }

    async Task<JsonElement> WaitForState(string state)
    {
        for (int i = 0; i < 600; i++)
        {
            var (_, status) = await Studio.Get("/api/train/status");
            if (status.GetProperty("state").GetString() == state) return status;
            await Task.Delay(100);
        }
        throw new TimeoutException($"training never reached '{state}'");
    }

    [Fact]
    public async Task WorldSummaryThumbnailsAndAudio()
    {
        var (status, world) = await Studio.Get("/api/world?path=" + Query(StudioWorkspace.World));
        Assert.Equal(HttpStatusCode.OK, status);
        var manifest = WorldBundle.Open(Path.Combine(StudioWorkspace.Root, StudioWorkspace.World)).Manifest;
        Assert.Equal(manifest.Name, world.GetProperty("name").GetString());
        Assert.Equal(TestWorld.Anchors, world.GetProperty("anchors").GetArrayLength());
        Assert.Equal(manifest.Quantizer.Levels, world.GetProperty("training").GetProperty("codebookHealth").GetArrayLength());

        var (_, thumbnail) = await Studio.Get($"/api/world/thumbnail?anchor=2&path={Query(StudioWorkspace.World)}");
        var peaks = thumbnail.GetProperty("peaks").EnumerateArray().Select(p => p.GetSingle()).ToArray();
        Assert.Equal(160, peaks.Length);
        Assert.True(peaks.Max() > 0.001f, "the anchor sounds");
        Assert.Equal(64 * 32, thumbnail.GetProperty("spectrogram").GetBytesFromBase64().Length);

        using var audio = await Studio.Http.GetAsync($"/api/world/audio?anchor=2&path={Query(StudioWorkspace.World)}");
        Assert.Equal("audio/wav", audio.Content.Headers.ContentType?.MediaType);
        var wav = await audio.Content.ReadAsByteArrayAsync();
        Assert.Equal("RIFF", Encoding.ASCII.GetString(wav, 0, 4));
        int samples = manifest.Anchors[2].TimeSteps * WorldGraphs.FramesPerStep * manifest.Audio.Hop;
        Assert.Equal(44 + 2 * samples, wav.Length);

        var (corrupt, corruptBody) = await Studio.Get("/api/world?path=" + Query(StudioWorkspace.Corrupt));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, corrupt);
        Assert.Contains("not a valid Distill world", corruptBody.GetProperty("error").GetString());
        Assert.True(corruptBody.GetProperty("problems").GetArrayLength() > 0);
        Assert.Equal(HttpStatusCode.BadRequest, (await Studio.Get("/api/world")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Studio.Get("/api/world?path=worlds/none.distill")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Studio.Get("/api/world?path=" + StudioWorkspace.Sounds)).Status);
        var (anchor, anchorBody) = await Studio.Get($"/api/world/audio?anchor=99&path={Query(StudioWorkspace.World)}");
        Assert.Equal(HttpStatusCode.BadRequest, anchor);
        Assert.Contains("no anchor 99", anchorBody.GetProperty("error").GetString());
    }

    async Task<string> Open(string world, string tab)
    {
        var (status, body) = await Studio.Post("/api/edit/open", new { path = world, tab });
        Assert.Equal(HttpStatusCode.OK, status);
        return body.GetProperty("session").GetString()!;
    }

    /// <summary>Runs <paramref name="test"/> with an editor session on <paramref name="world"/>, closed afterwards.</summary>
    async Task Editing(string world, string tab, Func<string, Task> test)
    {
        string session = await Open(world, tab);
        try
        {
            await test(session);
        }
        finally
        {
            await Studio.Post($"/api/edit/{session}/close");
        }
    }

    static long[] Codes(JsonElement grid) => grid.GetProperty("codes").EnumerateArray().Select(c => c.GetInt64()).ToArray();

    [Fact]
    public async Task RegenerateChangesOnlyTheRegionReproduciblyAndRefusesRegionsOutsideTheGrid()
    {
        await Editing(StudioWorkspace.World, "regenerate-tab", async session =>
        {
            var (_, grid) = await Studio.Get($"/api/edit/{session}/grid?anchor=1");
            var original = Codes(grid);
            int f = grid.GetProperty("frequencies").GetInt32(), levels = grid.GetProperty("levels").GetInt32(), steps = grid.GetProperty("timeSteps").GetInt32();
            Assert.All(grid.GetProperty("probabilities").EnumerateArray(), p => Assert.InRange(p.GetSingle(), 0f, 1f));

            var region = new GridRegion(1, 3, 7, 2, 6, [0, 2]);
            var request = new { region, temperature = 1.5, topK = 0, topP = 1.0, seed = 11 };
            var (status, edited) = await Studio.Post($"/api/edit/{session}/regenerate", request);
            Assert.Equal(HttpStatusCode.OK, status);
            var codes = Codes(edited);
            for (int i = 0; i < codes.Length; i++)
            {
                int t = i / (f * levels), fi = i / levels % f, l = i % levels;
                bool inside = t is >= 3 and < 7 && fi is >= 2 and < 6 && l is 0 or 2;
                if (!inside) Assert.Equal(original[i], codes[i]);
            }
            Assert.NotEqual(original, codes);
            Assert.True(edited.GetProperty("canUndo").GetBoolean());

            // The same seed from the same codes draws the same codes.
            await Studio.Post($"/api/edit/{session}/undo");
            var (_, again) = await Studio.Post($"/api/edit/{session}/regenerate", request);
            Assert.Equal(codes, Codes(again));

            var (outside, outsideBody) = await Studio.Post($"/api/edit/{session}/regenerate", new { region = new GridRegion(1, steps - 2, steps + 5, 0, f, [0]) });
            Assert.Equal(HttpStatusCode.BadRequest, outside);
            Assert.Contains("outside the grid", outsideBody.GetProperty("error").GetString());
            Assert.Equal(HttpStatusCode.BadRequest, (await Studio.Post($"/api/edit/{session}/regenerate", new { region = new GridRegion(1, 0, 1, 0, 1, [levels]) })).Status);
            Assert.Equal(HttpStatusCode.BadRequest, (await Studio.Post($"/api/edit/{session}/regenerate", new { region = new GridRegion(1, 0, 1, 0, 1, [0]), temperature = -1 })).Status);
            Assert.Equal(HttpStatusCode.BadRequest, (await Studio.Get($"/api/edit/{session}/grid?anchor=99")).Status);
        });
    }

    [Fact]
    public async Task LockCopyPasteUndoRedoAndAudition()
    {
        await Editing(StudioWorkspace.World, "paste-tab", async session =>
        {
            var (_, grid) = await Studio.Get($"/api/edit/{session}/grid?anchor=0");
            var original = Codes(grid);
            int f = grid.GetProperty("frequencies").GetInt32(), levels = grid.GetProperty("levels").GetInt32();
            int Cell(int t, int fi, int l) => (t * f + fi) * levels + l;

            // Locked cells keep their codes through a regeneration; a region of locked cells only is refused.
            var all = Enumerable.Range(0, levels).ToArray();
            var (_, locked) = await Studio.Post($"/api/edit/{session}/lock", new { region = new GridRegion(0, 0, 4, 0, f, all), locked = true });
            Assert.True(locked.GetProperty("locked")[Cell(2, 3, 1)].GetBoolean());
            var (_, regenerated) = await Studio.Post($"/api/edit/{session}/regenerate", new { region = new GridRegion(0, 0, 8, 0, f, all), temperature = 2, seed = 3 });
            var codes = Codes(regenerated);
            for (int t = 0; t < 4; t++) for (int fi = 0; fi < f; fi++) for (int l = 0; l < levels; l++) Assert.Equal(original[Cell(t, fi, l)], codes[Cell(t, fi, l)]);
            Assert.Equal(HttpStatusCode.BadRequest, (await Studio.Post($"/api/edit/{session}/regenerate", new { region = new GridRegion(0, 0, 4, 0, f, all) })).Status);
            await Studio.Post($"/api/edit/{session}/lock", new { region = new GridRegion(0, 0, 4, 0, f, all), locked = false });

            // Copy a region of anchor 5, paste it into anchor 0 at step 6, frequency 1.
            var (_, source) = await Studio.Get($"/api/edit/{session}/grid?anchor=5");
            var (_, clip) = await Studio.Post($"/api/edit/{session}/copy", new GridRegion(5, 1, 3, 0, 2, [1]));
            Assert.Equal(4, clip.GetProperty("codes").GetArrayLength());
            var (_, pasted) = await Studio.Post($"/api/edit/{session}/paste", new { anchor = 0, timeStep = 6, frequency = 1, clip });
            var sourceCodes = Codes(source);
            var pastedCodes = Codes(pasted);
            for (int t = 0; t < 2; t++) for (int fi = 0; fi < 2; fi++) Assert.Equal(sourceCodes[Cell(1 + t, fi, 1)], pastedCodes[Cell(6 + t, 1 + fi, 1)]);
            var (tooFar, tooFarBody) = await Studio.Post($"/api/edit/{session}/paste", new { anchor = 0, timeStep = 6, frequency = f - 1, clip });
            Assert.Equal(HttpStatusCode.BadRequest, tooFar);
            Assert.Contains("outside the grid", tooFarBody.GetProperty("error").GetString());

            // Undo walks back through the paste and the regeneration; redo brings the paste back.
            await Studio.Post($"/api/edit/{session}/undo");
            var (_, undone) = await Studio.Post($"/api/edit/{session}/undo");
            Assert.Equal(original, Codes(undone));
            await Studio.Post($"/api/edit/{session}/redo");
            var (_, redone) = await Studio.Post($"/api/edit/{session}/redo");
            Assert.Equal(pastedCodes, Codes(redone));
            Assert.False(redone.GetProperty("canRedo").GetBoolean());
            var (nothing, nothingBody) = await Studio.Post($"/api/edit/{session}/redo");
            Assert.Equal(HttpStatusCode.Conflict, nothing);
            Assert.Contains("Nothing to redo", nothingBody.GetProperty("error").GetString());

            // The edited codes sound different from the anchor's own.
            var edited = await Studio.Http.GetByteArrayAsync($"/api/edit/{session}/audio?anchor=0");
            var plain = await Studio.Http.GetByteArrayAsync($"/api/world/audio?anchor=0&path={Query(StudioWorkspace.World)}");
            Assert.Equal(plain.Length, edited.Length);
            Assert.NotEqual(plain, edited);
        });
    }

    [Fact]
    public async Task OnlyOneTabEditsAWorld()
    {
        string first = await Open(StudioWorkspace.LongWorld, "tab-a");
        Assert.Equal(first, await Open(StudioWorkspace.LongWorld, "tab-a"));
        var (status, body) = await Studio.Post("/api/edit/open", new { path = StudioWorkspace.LongWorld, tab = "tab-b" });
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("being edited in another tab", body.GetProperty("error").GetString());

        var (_, taken) = await Studio.Post("/api/edit/open", new { path = StudioWorkspace.LongWorld, tab = "tab-b", takeOver = true });
        string second = taken.GetProperty("session").GetString()!;
        var (closed, closedBody) = await Studio.Get($"/api/edit/{first}/grid?anchor=0");
        Assert.Equal(HttpStatusCode.Conflict, closed);
        Assert.Contains("another tab took the world over", closedBody.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await Studio.Http.PostAsync($"/api/edit/{second}/close", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Studio.Post("/api/edit/open", new { path = StudioWorkspace.World })).Status);
    }

    [Fact]
    public async Task SavedEditsAreNewAnchorsOfAValidCopyThatInspectLists()
    {
        string source = Path.Combine(StudioWorkspace.Root, StudioWorkspace.World);
        var before = File.ReadAllBytes(source);
        await Editing(StudioWorkspace.World, "save-tab", async session =>
        {
            var (nothing, nothingBody) = await Studio.Post($"/api/edit/{session}/save");
            Assert.Equal(HttpStatusCode.BadRequest, nothing);
            Assert.Contains("nothing to save", nothingBody.GetProperty("error").GetString());

            var (_, grid) = await Studio.Post($"/api/edit/{session}/regenerate", new { region = new GridRegion(3, 2, 9, 0, 8, [0, 1, 2]), temperature = 1.5, seed = 5 });
            var (status, saved) = await Studio.Post($"/api/edit/{session}/save");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("worlds/tiny-edited.distill", saved.GetProperty("path").GetString());
            string name = saved.GetProperty("anchors")[0].GetString()!;

            var copy = WorldBundle.Open(Path.Combine(StudioWorkspace.Root, "worlds/tiny-edited.distill"));
            Assert.Equal(TestWorld.Anchors + 1, copy.Anchors.Count);
            Assert.Equal(name, copy.Anchors[^1].Name);
            Assert.Equal(Codes(grid), copy.Anchors[^1].Tokens);
            Assert.Equal(before, File.ReadAllBytes(source));

            var inspect = Cli.DistillProcess.Run("inspect", Path.Combine(StudioWorkspace.Root, "worlds/tiny-edited.distill"));
            Assert.Equal(0, inspect.ExitCode);
            Assert.Contains(name, inspect.Output);
        });
    }

    [Fact]
    public async Task RegenerationTimeOnATenSecondAnchor()
    {
        await Editing(StudioWorkspace.LongWorld, "timing-tab", async session =>
        {
            var (_, grid) = await Studio.Get($"/api/edit/{session}/grid?anchor=0");
            int steps = grid.GetProperty("timeSteps").GetInt32();
            Assert.True(steps / grid.GetProperty("stepsPerSecond").GetDouble() >= StudioWorkspace.LongAnchorSeconds - 0.2);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            const int Runs = 5;
            for (int i = 0; i < Runs; i++)
                await Studio.Post($"/api/edit/{session}/regenerate", new { region = new GridRegion(0, steps / 2, steps / 2 + 6, 0, 8, [0, 1, 2]), seed = i });
            output.WriteLine($"regenerate on a {StudioWorkspace.LongAnchorSeconds:0} s anchor ({steps} steps), API round trip: {clock.Elapsed.TotalMilliseconds / Runs:F0} ms");

            // Regeneration scores only the cells within a context window of the region; a full pass agrees (to the
            // rounding of rotary angles at other absolute positions).
            var (_, regenerated) = await Studio.Post($"/api/edit/{session}/regenerate", new { region = new GridRegion(0, steps / 2, steps / 2 + 2, 0, 8, [1]), seed = 9 });
            await Studio.Post($"/api/edit/{session}/undo");
            var (_, full) = await Studio.Post($"/api/edit/{session}/redo"); // a change undone and redone is scored from the start
            Assert.Equal(Codes(regenerated), Codes(full));
            var windowed = regenerated.GetProperty("probabilities").EnumerateArray().Select(p => p.GetSingle()).ToArray();
            var whole = full.GetProperty("probabilities").EnumerateArray().Select(p => p.GetSingle()).ToArray();
            for (int i = 0; i < whole.Length; i++) Assert.True(Math.Abs(windowed[i] - whole[i]) < 1e-5, $"cell {i}: {windowed[i]} vs {whole[i]}");
        });
    }
}
