using System.Diagnostics;

namespace Quarry.Server.Tests.Deploy;

/// <summary>The container image's payload: <c>deploy/docker/publish.sh</c> run once for the test class into a temp
/// folder (framework-dependent, as the image has it), read-only afterwards as in the image.</summary>
public sealed class PublishedOutput : IAsyncLifetime
{
    public string Root { get; } = Directory.CreateTempSubdirectory("quarry-image-").FullName;
    public string App => Path.Combine(Root, "app");
    public string Assembly => Path.Combine(App, "quarry.dll");

    public async Task InitializeAsync()
    {
        // Other users (the unprivileged one the server runs as) must be able to reach the folders under it.
        using (var chmod = Process.Start("chmod", ["755", Root])) await chmod.WaitForExitAsync();
        var (code, stdout, stderr) = await DeployFiles.RunAsync("bash", DeployFiles.Path("docker", "publish.sh"), App);
        code.Should().Be(0, $"publish.sh failed:\n{stdout}\n{stderr}");
        File.Exists(Assembly).Should().BeTrue();
    }

    public async Task DisposeAsync()
    {
        // publish.sh leaves the output read-only, as the image has it.
        using var chmod = Process.Start("chmod", ["-R", "u+w", Root]);
        await chmod.WaitForExitAsync();
        Directory.Delete(Root, recursive: true);
    }
}
