using Microsoft.Data.Sqlite;
using Quarry.Diagnostics;
using Quarry.Embedding;

namespace Quarry.Storage.Sqlite;

internal sealed partial class SqliteStore : IEmbeddingCache
{
    public async Task<IReadOnlyDictionary<string, ReadOnlyMemory<float>>> GetManyAsync(EmbeddingModel model, IReadOnlyCollection<string> textHashes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(textHashes);
        var found = new Dictionary<string, ReadOnlyMemory<float>>(StringComparer.Ordinal);
        if (textHashes.Count == 0)
            return found;

        using var stage = QuarryTelemetry.StartStage("store.embedding_cache.get");
        try
        {
            await using var connection = await _database.OpenReadAsync(cancellationToken);
            // One JSON array parameter rather than one parameter per hash: no limit on the number of variables. The
            // loop is driven from the list (CROSS JOIN) so each hash is one primary-key lookup, not a scan of the model.
            await using var command = connection.Command("""
                SELECT e.text_hash, e.vector FROM json_each($hashes) AS j
                CROSS JOIN embedding_cache e ON e.model = $model AND e.dimension = $dimension AND e.text_hash = j.value;
                """).With("$model", model.Id).With("$dimension", model.Dimension)
                .With("$hashes", SqlFilters.JsonArray(textHashes));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                found[reader.GetString(0)] = VectorCodec.Decode((byte[])reader.GetValue(1));
            return found;
        }
        catch (Exception e)
        {
            stage.Fail(e);
            throw;
        }
    }

    public async Task PutManyAsync(EmbeddingModel model, IReadOnlyCollection<KeyValuePair<string, ReadOnlyMemory<float>>> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentException.ThrowIfNullOrWhiteSpace(model.Id);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(model.Dimension);
        foreach (var (hash, vector) in entries)
        {
            if (vector.Length != model.Dimension)
                throw new ArgumentException($"Cached vector for '{hash}' has {vector.Length} dimensions, expected {model.Dimension} for {model.Id}.", nameof(entries));
        }
        if (entries.Count == 0)
            return;

        using var stage = QuarryTelemetry.StartStage("store.embedding_cache.put");
        try
        {
            await _database.WriteAsync(async (connection, ct) =>
            {
                await using var upsert = connection.Command("""
                    INSERT INTO embedding_cache (model, dimension, text_hash, vector, created_at)
                    VALUES ($model, $dimension, $hash, $vector, $at)
                    ON CONFLICT (model, dimension, text_hash) DO UPDATE SET vector = excluded.vector, created_at = excluded.created_at;
                    """).With("$model", model.Id).With("$dimension", model.Dimension).With("$at", UnixTime.ToMs(Now()));
                var hash = upsert.Parameters.Add("$hash", SqliteType.Text);
                var vector = upsert.Parameters.Add("$vector", SqliteType.Blob);
                foreach (var (key, values) in entries)
                {
                    hash.Value = key;
                    vector.Value = VectorCodec.Encode(values.Span);
                    await upsert.ExecuteNonQueryAsync(ct);
                }
                return true;
            }, cancellationToken);
        }
        catch (Exception e)
        {
            stage.Fail(e);
            throw;
        }
    }
}
