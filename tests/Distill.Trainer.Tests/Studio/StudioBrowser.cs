using Microsoft.Playwright;

namespace Distill.Tests.Studio;

/// <summary>
/// Debian's chromium (installed by scripts/bootstrap.sh), driven by Playwright through its executable path: Playwright
/// never downloads a browser. Headless, without the background services that would try to reach the network.
/// Screenshots go to TestResults/studio/ in the repository (the CI's artifacts).
/// </summary>
public sealed class StudioBrowser : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";
    static readonly string[] Flags =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    IPlaywright? playwright;
    public IBrowser Browser { get; private set; } = null!;

    public static string Artifacts { get; } = Directory.CreateDirectory(Path.Combine(RepositoryRoot(), "TestResults", "studio")).FullName;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"The studio's browser tests need Debian's chromium at {Chromium}: run bash scripts/bootstrap.sh (it installs it with apt).");
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = Flags });
    }

    /// <summary>A new tab of a new browser profile, sized like a laptop screen.</summary>
    public async Task<IPage> NewPage()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 860 } });
        return await context.NewPageAsync();
    }

    public static Task Screenshot(IPage page, string name, bool fullPage = true) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, name + ".png"), FullPage = fullPage });

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        playwright?.Dispose();
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PluginSuite.sln"))) return dir.FullName;
        return AppContext.BaseDirectory;
    }
}
