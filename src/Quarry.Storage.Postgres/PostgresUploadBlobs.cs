using System.Data;
using Npgsql;
using NpgsqlTypes;

namespace Quarry.Storage.Postgres;

/// <summary>
/// Uploaded bytes kept in the database between the API's 202 and the worker's job, because the worker may run on
/// another machine than the API replica that received them. Written and read as streams: a file is never held in
/// memory whole.
/// </summary>
public sealed class PostgresUploadBlobs
{
    private readonly PostgresDatabase _database;

    internal PostgresUploadBlobs(PostgresDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <summary>Stores <paramref name="content"/> (a seekable stream) under <paramref name="name"/>, replacing any
    /// earlier bytes of that name.</summary>
    public async Task SaveAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(content);
        await _database.WriteAsync(async (connection, transaction, ct) =>
        {
            content.Position = 0;
            await using var insert = new NpgsqlCommand("""
                INSERT INTO uploads (name, content, size_bytes) VALUES (@name, @content, @size)
                ON CONFLICT (name) DO UPDATE SET content = excluded.content, size_bytes = excluded.size_bytes;
                """, connection, transaction);
            insert.Parameters.AddWithValue("name", name);
            insert.Parameters.Add(new NpgsqlParameter("content", NpgsqlDbType.Bytea) { Value = content, Size = checked((int)content.Length) });
            insert.Parameters.AddWithValue("size", content.Length);
            return await insert.ExecuteNonQueryAsync(ct);
        }, cancellationToken);
    }

    /// <summary>Copies the bytes of <paramref name="name"/> to <paramref name="destination"/>; false when there are none.</summary>
    public async Task<bool> CopyToAsync(string name, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var select = new NpgsqlCommand("SELECT content FROM uploads WHERE name = @name;", connection);
        select.Parameters.AddWithValue("name", name);
        await using var reader = await select.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return false;
        await using var content = await reader.GetStreamAsync(0, cancellationToken);
        await content.CopyToAsync(destination, cancellationToken);
        return true;
    }

    /// <summary>Deletes uploads older than <paramref name="olderThan"/> (by the database's clock, so replicas' clocks do
    /// not matter) whose names are not in <paramref name="keep"/>: bytes a replica saved before crashing, never enqueued
    /// or never cleaned up. Returns how many were deleted.</summary>
    public async Task<int> DeleteOrphansAsync(IReadOnlyCollection<string> keep, TimeSpan olderThan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keep);
        return await _database.WriteAsync(async (connection, transaction, ct) =>
        {
            await using var delete = new NpgsqlCommand("""
                DELETE FROM uploads WHERE created_at < now() - @age AND NOT (name = ANY(@keep));
                """, connection, transaction);
            delete.Parameters.AddWithValue("age", olderThan);
            delete.Parameters.AddWithValue("keep", keep.ToArray());
            return await delete.ExecuteNonQueryAsync(ct);
        }, cancellationToken);
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await _database.WriteAsync(async (connection, transaction, ct) =>
        {
            await using var delete = new NpgsqlCommand("DELETE FROM uploads WHERE name = @name;", connection, transaction);
            delete.Parameters.AddWithValue("name", name);
            return await delete.ExecuteNonQueryAsync(ct);
        }, cancellationToken);
    }
}
