using Npgsql;
using Quarry.Diagnostics;
using Quarry.Embedding;

namespace Quarry.Storage.Postgres;

internal sealed partial class PostgresStore : IEmbeddingCache
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
            await using var connection = await _database.OpenAsync(cancellationToken);
            // One array parameter, whatever the number of hashes; each element is one primary-key lookup.
            await using var command = new NpgsqlCommand("""
                SELECT text_hash, vector FROM embedding_cache
                WHERE model = @model AND dimension = @dimension AND text_hash = ANY(@hashes);
                """, connection);
            command.Parameters.Add(new NpgsqlParameter<string>("model", model.Id));
            command.Parameters.Add(new NpgsqlParameter<int>("dimension", model.Dimension));
            command.Parameters.Add(new NpgsqlParameter<string[]>("hashes", textHashes.Distinct(StringComparer.Ordinal).ToArray()));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                found[reader.GetString(0)] = reader.GetFieldValue<float[]>(1);
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
            var at = Now();
            await _database.WriteAsync(async (connection, transaction, ct) =>
            {
                // One batch (one round trip), one statement per entry: vectors travel as binary real[], bit-exact.
                await using var batch = new NpgsqlBatch(connection, transaction);
                foreach (var (key, values) in entries)
                {
                    var upsert = new NpgsqlBatchCommand("""
                        INSERT INTO embedding_cache (model, dimension, text_hash, vector, created_at)
                        VALUES (@model, @dimension, @hash, @vector, @at)
                        ON CONFLICT (model, dimension, text_hash) DO UPDATE SET vector = excluded.vector, created_at = excluded.created_at;
                        """);
                    upsert.Parameters.Add(new NpgsqlParameter<string>("model", model.Id));
                    upsert.Parameters.Add(new NpgsqlParameter<int>("dimension", model.Dimension));
                    upsert.Parameters.Add(new NpgsqlParameter<string>("hash", key));
                    upsert.Parameters.Add(new NpgsqlParameter<float[]>("vector", values.ToArray()));
                    upsert.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", at));
                    batch.BatchCommands.Add(upsert);
                }
                await batch.ExecuteNonQueryAsync(ct);
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
