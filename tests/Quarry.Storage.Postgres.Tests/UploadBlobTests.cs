using Microsoft.Extensions.DependencyInjection;

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
}
