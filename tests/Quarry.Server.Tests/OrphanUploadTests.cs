using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>Upload files that no job refers to (left by a crash between saving and enqueuing) are swept at start-up;
/// recent ones are left alone, as another process may be about to enqueue their job.</summary>
public sealed class OrphanUploadTests
{
    [Fact]
    public async Task Old_upload_files_without_a_job_are_removed_at_start_up()
    {
        await using var server = new ServerProcess();
        var uploads = Directory.CreateDirectory(Path.Combine(server.DataDirectory, "uploads")).FullName;
        var orphan = Path.Combine(uploads, "0123456789abcdef0123456789abcdef");
        var recent = Path.Combine(uploads, "fedcba9876543210fedcba9876543210");
        await File.WriteAllTextAsync(orphan, "left behind by a crash");
        await File.WriteAllTextAsync(recent, "being enqueued right now");
        File.SetLastWriteTimeUtc(orphan, TimeProvider.System.GetUtcNow().UtcDateTime.AddHours(-2));

        await server.CreateKeyAsync("alpha", "admin");
        await server.StartAsync();

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (File.Exists(orphan)) await Task.Delay(50, wait.Token);
        File.Exists(recent).Should().BeTrue();
    }
}
