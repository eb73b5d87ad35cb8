using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Quarry.Storage.Postgres.Tests;

/// <summary>Uploads kept in the database for workers on other machines (table <c>uploads</c>, migration 0002).</summary>
public sealed class UploadBlobTests
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task An_upload_saved_by_one_replica_is_read_by_another_and_deleted_once_done()
    {
        await using var api = await PostgresTestStore.CreateAsync(TimeProvider.System);
        await using var worker = PostgresTestStore.Open(api.ConnectionString, TimeProvider.System);
        var content = new byte[300_000];
        new Random(7).NextBytes(content);

        await api.Services.GetRequiredService<PostgresUploadBlobs>().SaveAsync("u1", new MemoryStream(content), Ct);
        var blobs = worker.Services.GetRequiredService<PostgresUploadBlobs>();
        using var copy = new MemoryStream();

        (await blobs.CopyToAsync("u1", copy, Ct)).Should().BeTrue();
        copy.ToArray().Should().Equal(content);
        await blobs.DeleteAsync("u1", Ct);
        (await blobs.CopyToAsync("u1", new MemoryStream(), Ct)).Should().BeFalse();
        (await blobs.CopyToAsync("never-saved", new MemoryStream(), Ct)).Should().BeFalse();
    }

    [Fact]
    public async Task Old_uploads_no_job_keeps_are_swept_and_recent_or_kept_ones_stay()
    {
        await using var store = await PostgresTestStore.CreateAsync(TimeProvider.System);
        var blobs = store.Services.GetRequiredService<PostgresUploadBlobs>();
        foreach (var name in new[] { "orphan", "queued", "recent" })
            await blobs.SaveAsync(name, new MemoryStream([1, 2, 3]), Ct);
        await using (var connection = new NpgsqlConnection(store.ConnectionString))
        {
            await connection.OpenAsync(Ct);
            await using var age = new NpgsqlCommand("UPDATE uploads SET created_at = now() - interval '2 hours' WHERE name IN ('orphan', 'queued');", connection);
            await age.ExecuteNonQueryAsync(Ct);
        }

        (await blobs.DeleteOrphansAsync(["queued"], TimeSpan.FromHours(1), Ct)).Should().Be(1);

        (await blobs.CopyToAsync("orphan", new MemoryStream(), Ct)).Should().BeFalse();
        (await blobs.CopyToAsync("queued", new MemoryStream(), Ct)).Should().BeTrue("an unfinished job refers to it");
        (await blobs.CopyToAsync("recent", new MemoryStream(), Ct)).Should().BeTrue("another replica may be about to enqueue its job");
    }
}
