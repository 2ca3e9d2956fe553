using System.Diagnostics;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Distill.Tests.Studio;

/// <summary>The issue's scenarios in a real browser: live training, inspecting a world, editing its codes, saving the
/// edit, and every bad input the page must explain. Prints the page's load time and the regenerate-to-grid time.</summary>
[Collection(TorchCollection.Name)]
public class StudioBrowserTests(StudioBrowser browser, ITestOutputHelper output) : IClassFixture<StudioBrowser>
{
    static readonly PageWaitForFunctionOptions Patience = new() { Timeout = 120_000, PollingInterval = 50 };

    /// <summary>Opens the studio's printed address; returns the milliseconds until the page was ready.</summary>
    static async Task<double> Load(IPage page, StudioClient studio)
    {
        var clock = Stopwatch.StartNew();
        await page.GotoAsync(studio.Server.Address);
        await page.WaitForFunctionAsync("() => window.studio && window.studio.ready !== null", null, Patience);
        return clock.Elapsed.TotalMilliseconds;
    }

    static async Task<string> Banner(IPage page, string expected)
    {
        await page.WaitForFunctionAsync("t => !document.getElementById('banner').hidden && document.getElementById('banner').textContent.includes(t)", expected, Patience);
        return await page.Locator("#banner").InnerTextAsync();
    }

    [Fact]
    public async Task TrainingShowsLiveCurvesAndHealthThenTheServerStoppingIsReported()
    {
        string runDir = "runs/browser-" + Guid.NewGuid().ToString("N")[..6];
        var studio = await StudioClient.Start(StudioWorkspace.Root);
        bool stopped = false;
        try
        {
            var page = await browser.NewPage();
            output.WriteLine($"page load (address opened → views ready): {await Load(page, studio):F0} ms");
            await Folder(page, StudioWorkspace.Sounds).ClickAsync();
            await page.WaitForFunctionAsync("() => document.getElementById('browser-path').textContent === 'sounds'", null, Patience);
            await page.ClickAsync("#use-folder");
            await page.WaitForSelectorAsync("#config-table tr[data-key=epochs]");
            Assert.Equal("(auto)", await page.InnerTextAsync("#config-table tr[data-key=epochs] td:nth-child(3)"));
            foreach (var (key, value) in new[] { ("epochs", "40"), ("batch-size", "2"), ("latent-dim", "8"), ("codebook-size", "16") })
            {
                await page.FillAsync($"#config-table input[name={key}]", value);
                await page.DispatchEventAsync($"#config-table input[name={key}]", "change");
                await page.WaitForFunctionAsync("k => document.querySelector(`#config-table tr[data-key=${k}] td:nth-child(3)`).textContent === '(override)'", key, Patience);
            }
            await page.FillAsync("#run-dir", runDir);
            await page.ClickAsync("#train-start");

            // Curves and the health table fill while the run goes on (40 epochs: far longer than the test waits, so the
            // server is surely stopped mid-training however fast the machine is).
            try
            {
                await page.WaitForFunctionAsync("() => window.studio.train.steps[0].length >= 12 && document.querySelectorAll('#health-table tbody tr').length > 0", null, Patience);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException("no live curves: " + await page.EvaluateAsync<string>(
                    "() => `${window.studio.train.steps[0].length} steps, state '${document.getElementById('train-state').textContent}', banner '${document.getElementById('banner').textContent}'`"));
            }
            Assert.Equal("running", await page.GetAttributeAsync("#train-state", "data-state"));
            int points = await page.EvaluateAsync<int>("() => window.studio.train.steps[0].length");
            Assert.True(await page.EvaluateAsync<bool>("() => window.studio.train.trainChart.data[0].length > 0"));
            await StudioBrowser.Screenshot(page, "train");

            await studio.DisposeAsync(); // the server stops mid-training: the run saves its checkpoint first
            stopped = true;
            string banner = await Banner(page, "server has stopped");
            output.WriteLine($"{points} steps charted; banner: {banner}");
            Assert.True(File.Exists(Path.Combine(StudioWorkspace.Root, runDir, "checkpoint.bin")), $"no checkpoint; training {System.Text.Json.JsonSerializer.Serialize(studio.Server.State.Training.Status)}");
            Assert.True(await page.IsDisabledAsync("#train-start"));
        }
        finally
        {
            if (!stopped) await studio.DisposeAsync();
        }
    }

    [Fact]
    public async Task InspectAuditionEditRegenerateAndSave()
    {
        File.Copy(Path.Combine(StudioWorkspace.Root, StudioWorkspace.World), Path.Combine(StudioWorkspace.Root, "worlds/browser.distill"), overwrite: true);
        await using var studio = await StudioClient.Start(StudioWorkspace.Root);
        var page = await browser.NewPage();
        output.WriteLine($"page load (address opened → views ready): {await Load(page, studio):F0} ms");

        // Inspect: summary, health, anchors with thumbnails; audition one anchor.
        await page.ClickAsync("nav .tab[data-view=inspect]");
        await page.FillAsync("#world-path", "worlds/browser.distill");
        await page.ClickAsync("#world-open");
        await page.WaitForFunctionAsync("n => document.querySelectorAll('#anchors tr[data-thumbnail=drawn]').length === n", TestWorld.Anchors, Patience);
        Assert.Contains("3 levels", await page.InnerTextAsync("#world-summary"));
        Assert.Equal(3, await page.Locator("#world-health tbody tr").CountAsync());
        await page.Locator("#anchors tr[data-anchor='2'] button", new() { HasText = "Audition" }).ClickAsync();
        await page.WaitForFunctionAsync("() => document.getElementById('inspect-audio').readyState >= 1 && document.getElementById('inspect-audio').duration > 1", null, Patience);
        await StudioBrowser.Screenshot(page, "inspect", fullPage: false); // the first anchors are enough to see

        // Edit: select a region on level 0, regenerate it, see the grid change, audition the edit.
        await page.Locator("#anchors tr[data-anchor='3'] button", new() { HasText = "Edit codes" }).ClickAsync();
        await page.WaitForFunctionAsync("() => window.studio.editor.grid && window.studio.editor.grid.anchor === 3", null, Patience);
        Assert.Equal(3, await page.Locator("#grid canvas").CountAsync());
        await Drag(page, level: 0, from: (2, 1), to: (7, 6));
        Assert.Equal("{\"t0\":2,\"t1\":8,\"f0\":1,\"f1\":7}", await page.EvaluateAsync<string>("() => JSON.stringify(window.studio.editor.selection)"));
        var before = await page.EvaluateAsync<long[]>("() => Array.from(window.studio.editor.grid.codes)");
        await page.FillAsync("#edit-temperature", "1.5");
        await page.ClickAsync("#edit-regenerate");
        await page.WaitForFunctionAsync("() => window.studio.editor.lastRegenerateMs !== null", null, Patience);
        var after = await page.EvaluateAsync<long[]>("() => Array.from(window.studio.editor.grid.codes)");
        Assert.NotEqual(before, after);
        Assert.Contains("cell(s) changed", await page.InnerTextAsync("#edit-status"));
        await page.ClickAsync("#edit-audition");
        await page.WaitForFunctionAsync("() => document.getElementById('edit-audio').readyState >= 1 && document.getElementById('edit-audio').duration > 1", null, Patience);
        await Hover(page, level: 1, cell: (4, 3));
        Assert.Matches(@"code \d+ · p 0\.\d{3}", await page.InnerTextAsync("#tooltip"));
        await StudioBrowser.Screenshot(page, "edit");

        // Undo and redo from the keyboard, then save: distill inspect lists the new anchor.
        await page.Keyboard.PressAsync("Control+z");
        await page.WaitForFunctionAsync("b => JSON.stringify(Array.from(window.studio.editor.grid.codes)) === b", System.Text.Json.JsonSerializer.Serialize(before), Patience);
        await page.Keyboard.PressAsync("Control+y");
        await page.WaitForFunctionAsync("() => window.studio.editor.grid.changed > 0", null, Patience);
        await page.ClickAsync("#edit-save");
        string saved = await Banner(page, "browser-edited.distill");
        output.WriteLine(saved);
        var inspect = Cli.DistillProcess.Run("inspect", Path.Combine(StudioWorkspace.Root, "worlds/browser-edited.distill"));
        Assert.Equal(0, inspect.ExitCode);
        string anchorName = (await page.EvaluateAsync<string>("() => window.studio.editor.grid.name")) + "-edited";
        Assert.Contains(anchorName, inspect.Output);
    }

    [Fact]
    public async Task RegenerateOnATenSecondAnchorUpdatesTheGridQuickly()
    {
        await using var studio = await StudioClient.Start(StudioWorkspace.Root);
        var page = await browser.NewPage();
        double cold = await Load(page, studio), warm = await Load(page, studio);
        output.WriteLine($"page load (address opened → views ready): {cold:F0} ms on a fresh server, {warm:F0} ms reloaded");
        await page.EvaluateAsync("() => window.studio.editor.open('" + StudioWorkspace.LongWorld + "', 0)");
        await page.WaitForFunctionAsync("() => window.studio.editor.grid && window.studio.editor.grid.timeSteps > 50", null, Patience);
        int steps = await page.EvaluateAsync<int>("() => window.studio.editor.grid.timeSteps");
        await Drag(page, level: 0, from: (steps / 2, 0), to: (steps / 2 + 5, 7));
        var times = new List<double>();
        for (int i = 0; i < 4; i++)
        {
            await page.FillAsync("#edit-seed", (i + 1).ToString());
            await page.EvaluateAsync("() => { window.studio.editor.lastRegenerateMs = null; }");
            await page.ClickAsync("#edit-regenerate");
            await page.WaitForFunctionAsync("() => window.studio.editor.lastRegenerateMs !== null", null, Patience);
            times.Add(await page.EvaluateAsync<double>("() => window.studio.editor.lastRegenerateMs"));
        }
        output.WriteLine($"regenerate → grid updated, {StudioWorkspace.LongAnchorSeconds:0} s anchor ({steps} steps, 6 × 8 × 3 cells): " +
                         $"{string.Join(", ", times.Select(t => t.ToString("F0")))} ms (first includes warm-up)");
    }

    [Fact]
    public async Task BadInputIsExplainedInThePage()
    {
        await using var studio = await StudioClient.Start(StudioWorkspace.Root);
        var page = await browser.NewPage();
        await Load(page, studio);

        // A folder without audio.
        await Folder(page, StudioWorkspace.Empty).ClickAsync();
        await page.WaitForFunctionAsync("f => document.getElementById('browser-path').textContent === f", StudioWorkspace.Empty, Patience);
        await page.ClickAsync("#use-folder");
        await Banner(page, "No usable audio");

        // A corrupt bundle.
        await page.ClickAsync("nav .tab[data-view=inspect]");
        await page.FillAsync("#world-path", StudioWorkspace.Corrupt);
        await page.ClickAsync("#world-open");
        Assert.Contains("not a zip archive", await Banner(page, "not a valid Distill world"));

        // A paste that would reach past the grid's end.
        await page.EvaluateAsync("() => window.studio.editor.open('" + StudioWorkspace.World + "', 0)");
        await page.WaitForFunctionAsync("() => window.studio.editor.grid !== null", null, Patience);
        int steps = await page.EvaluateAsync<int>("() => window.studio.editor.grid.timeSteps");
        await Drag(page, level: 0, from: (0, 0), to: (3, 1));
        await page.ClickAsync("#edit-copy");
        await Drag(page, level: 0, from: (steps - 1, 0), to: (steps - 1, 0));
        await page.ClickAsync("#edit-paste");
        await Banner(page, "outside the grid");
        await StudioBrowser.Screenshot(page, "error-region");

        // A second tab on the same world is refused until it takes over; the first tab is then told.
        var second = await page.Context.NewPageAsync();
        await second.GotoAsync(studio.Server.Address);
        await second.WaitForFunctionAsync("() => window.studio && window.studio.ready !== null", null, Patience);
        await second.EvaluateAsync("() => window.studio.editor.open('" + StudioWorkspace.World + "', 0)");
        await Banner(second, "being edited in another tab");
        await second.ClickAsync("#banner button");
        await second.WaitForFunctionAsync("() => window.studio.editor.grid !== null", null, Patience);
        await page.ClickAsync("#edit-regenerate");
        await Banner(page, "another tab took the world over");
    }

    /// <summary>The folder browser's entry for the folder named exactly <paramref name="name"/>.</summary>
    static ILocator Folder(IPage page, string name) =>
        page.Locator("#browser-list li").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex($"^📁 {System.Text.RegularExpressions.Regex.Escape(name)}$") });

    static async Task<(float X, float Y, float Cell, float Height, int Frequencies)> Geometry(IPage page, int level)
    {
        var box = (await page.Locator($"#grid canvas[data-level='{level}']").BoundingBoxAsync())!;
        float cell = await page.EvaluateAsync<float>("() => window.studio.editor.cellWidth");
        int frequencies = await page.EvaluateAsync<int>("() => window.studio.editor.grid.frequencies");
        return (box.X, box.Y, cell, box.Height / frequencies, frequencies);
    }

    /// <summary>The page's coordinates of a cell's centre (frequency 0 is the bottom row).</summary>
    static async Task<(float X, float Y)> Centre(IPage page, int level, (int T, int F) cell)
    {
        var g = await Geometry(page, level);
        return (g.X + (cell.T + 0.5f) * g.Cell, g.Y + (g.Frequencies - 1 - cell.F + 0.5f) * g.Height);
    }

    static async Task Drag(IPage page, int level, (int T, int F) from, (int T, int F) to)
    {
        var a = await Centre(page, level, from);
        var b = await Centre(page, level, to);
        await page.Mouse.MoveAsync(a.X, a.Y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(b.X, b.Y, new() { Steps = 4 });
        await page.Mouse.UpAsync();
    }

    static async Task Hover(IPage page, int level, (int T, int F) cell)
    {
        var c = await Centre(page, level, cell);
        await page.Mouse.MoveAsync(c.X, c.Y);
    }
}
