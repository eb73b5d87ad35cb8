using System.Data;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Quarry.Storage.Postgres;

/// <summary>
/// Owns the one <see cref="NpgsqlDataSource"/> (connection pool) of the process and brings the schema up to date on
/// first use. A failed start (server unreachable, authentication) is not cached: the next call tries again, so a
/// replica that started before its database becomes ready by itself.
/// </summary>
internal sealed class PostgresDatabase : IAsyncDisposable
{
    private const int MaxWriteAttempts = 3;

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresStorageOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _initGate = new(1, 1);
    private volatile bool _initialized;

    public PostgresDatabase(PostgresStorageOptions options, ILoggerFactory loggerFactory, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger;
        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        builder.UseLoggerFactory(loggerFactory);
        _dataSource = builder.Build();
        var parsed = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        Name = $"{parsed.Host}:{parsed.Port}/{parsed.Database}";
    }

    /// <summary>Host, port and database, for messages (never the password).</summary>
    public string Name { get; }

    /// <summary>Whether vector search runs in PostgreSQL; known once <see cref="EnsureReadyAsync"/> has succeeded.</summary>
    public bool HasPgvector { get; private set; }

    public PostgresStorageOptions Options => _options;

    /// <summary>Connects and applies pending migrations once per process; throws while the database is unreachable.</summary>
    public async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
            return;
        await _initGate.WaitAsync(cancellationToken);
        try
        {
            if (_initialized)
                return;
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            HasPgvector = await PostgresMigrator.MigrateAsync(connection, Name, _options.Pgvector, _logger, cancellationToken);
            _initialized = true;
        }
        finally
        {
            _initGate.Release();
        }
    }

    /// <summary>A pooled connection for reads (autocommit: each statement sees the latest committed data).</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken);
        return await _dataSource.OpenConnectionAsync(cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction, committed when it returns and rolled back when it throws. A
    /// deadlock or serialization failure rolls back everything the attempt did, so the whole work is run again (it must
    /// not have effects outside the transaction); a dropped connection is not retried, because the commit may have
    /// happened.
    /// </summary>
    public async Task<T> WriteAsync<T>(
        Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<T>> work,
        CancellationToken cancellationToken,
        IsolationLevel isolation = IsolationLevel.ReadCommitted)
    {
        await EnsureReadyAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(isolation, cancellationToken);
            try
            {
                var result = await work(connection, transaction, cancellationToken);
                // The work is done: do not let a late cancellation turn a complete write into a rollback.
                await transaction.CommitAsync(CancellationToken.None);
                return result;
            }
            catch (PostgresException e) when (attempt < MaxWriteAttempts && IsRetryable(e))
            {
                Log.WriteRetried(_logger, e.SqlState, attempt);
                await transaction.RollbackAsync(CancellationToken.None);
            }
        }
    }

    private static bool IsRetryable(PostgresException e) =>
        e.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected;

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        _initGate.Dispose();
    }
}
