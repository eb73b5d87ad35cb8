using Microsoft.Playwright;

namespace Quarry.Server.Tests.Ui;

/// <summary>Headless Debian Chromium through Playwright, and a folder for screenshots (kept as test artifacts).</summary>
internal static class Browser
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        return (playwright, browser);
    }

    /// <summary>artifacts/screenshots under the repository root (or beside the test binaries outside a checkout).</summary>
    public static string ScreenshotPath(string name) => ScreenshotPath(name, "screenshots");

    public static string ScreenshotPath(string name, string folderName)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Quarry.slnx"))) dir = dir.Parent;
        var folder = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "artifacts", folderName);
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name + ".png");
    }
}

/// <summary>A fact that needs Debian's Chromium (apt-get install chromium; .ci/run installs it).</summary>
internal sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (!File.Exists(Browser.ChromiumPath)) Skip = "Chromium not found at /usr/bin/chromium: apt-get install chromium.";
    }
}
