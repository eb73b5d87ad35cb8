using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Quarry.Storage.Postgres;

/// <summary>
/// The HNSW indexes of pgvector, one partial expression index per (embedding model, dimension) over
/// <c>embeddings.vector::vector(n)</c>: vectors stay <c>real[]</c> in the table (so a server without pgvector stores
/// them too), and each model's vectors form their own graph, never mixed with another model's. An index is created the
/// first time its model is searched or stored, by whichever replica gets there first.
/// </summary>
internal sealed class PgvectorIndexes
{
    /// <summary>pgvector's HNSW limit for the <c>vector</c> type; larger vectors are always searched exactly.</summary>
    public const int MaxIndexedDimension = 2000;

    private readonly PostgresDatabase _database;
    private readonly ConcurrentDictionary<(string Model, int Dimension), bool> _ready = new();

    public PgvectorIndexes(PostgresDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <summary>The index name: only a hash of the model id reaches an identifier, so any id is safe and names are
    /// short and stable across replicas.</summary>
    public static string IndexName(string model, int dimension) => "embeddings_hnsw_" + Convert.ToHexStringLower(Hash(model, dimension), 0, 8);

    /// <summary>Creates the model's index when it does not exist. Idempotent, and harmless when replicas race: they
    /// serialize on an advisory lock derived from the same hash, and a duplicate that slips through anyway counts as done.</summary>
    /// <returns>Whether an index serves the model (false above <see cref="MaxIndexedDimension"/>).</returns>
    public async Task<bool> EnsureAsync(string model, int dimension, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (dimension > MaxIndexedDimension)
            return false;
        if (_ready.ContainsKey((model, dimension)))
            return true;
        await _database.EnsureReadyAsync(cancellationToken);
        if (!_database.HasPgvector)
            return false;
        try
        {
            await _database.WriteAsync(async (connection, transaction, ct) =>
            {
                await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key);", connection, transaction))
                {
                    lockCommand.Parameters.Add(new NpgsqlParameter<long>("key", LockKey(model, dimension)));
                    await lockCommand.ExecuteNonQueryAsync(ct);
                }
                // The statement is composed by the server: format's %L quotes the model id as a literal whatever its
                // characters and the server's quoting settings, so the id is never SQL.
                string ddl;
                await using (var compose = new NpgsqlCommand(
                    "SELECT format('CREATE INDEX IF NOT EXISTS %I ON embeddings USING hnsw ((vector::vector(%s)) vector_cosine_ops) " +
                    "WHERE model = %L AND dimension = %s', @name, @dimension, @model, @dimension);", connection, transaction))
                {
                    compose.Parameters.Add(new NpgsqlParameter<string>("name", IndexName(model, dimension)));
                    compose.Parameters.Add(new NpgsqlParameter<int>("dimension", dimension));
                    compose.Parameters.Add(new NpgsqlParameter<string>("model", model));
                    ddl = (string)(await compose.ExecuteScalarAsync(ct))!;
                }
                await using var create = new NpgsqlCommand(ddl, connection, transaction);
                await create.ExecuteNonQueryAsync(ct);
                return true;
            }, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.UniqueViolation)
        {
            // Another replica created the same index between our check and our CREATE: it exists, which is all we need.
        }
        _ready[(model, dimension)] = true;
        return true;
    }

    private static long LockKey(string model, int dimension) => BinaryPrimitives.ReadInt64BigEndian(Hash(model, dimension));

    private static byte[] Hash(string model, int dimension) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"{dimension}\n{model}"));
}
