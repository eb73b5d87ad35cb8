using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Quarry.Storage.Sqlite;

/// <summary>
/// Owns the database file: opens configured connections, serializes writers and applies migrations on first use.
/// WAL lets readers run on their own pooled connections while a writer commits; they see the last committed state.
/// </summary>
internal sealed class SqliteDatabase : IDisposable
{
    private static readonly Lazy<bool> NativeLibrary = new(() =>
    {
        SQLitePCL.Batteries_V2.Init();
        return true;
    });

    private readonly string _connectionString;
    private readonly string _configureSql;
    private readonly ILogger _logger;
    // One writer at a time in this process; BEGIN IMMEDIATE (with busy_timeout) orders us against other processes.
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SemaphoreSlim _initGate = new(1, 1);
    private readonly TimeProvider _time;
    private volatile bool _initialized;
    // PRAGMAs stay set on a physical connection for its life, and the pool hands the same one out again: the handles
    // already configured are remembered so that reopening one costs no statement.
    private readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> _configured = new();
    private readonly ReadSessionPool _sessions = new(Math.Max(4, 2 * Environment.ProcessorCount));

    public SqliteDatabase(SqliteStorageOptions options, TimeProvider time, ILogger logger)
    {
        _ = NativeLibrary.Value;
        Path = options.DatabasePath;
        _time = time;
        _logger = logger;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        }.ToString();
        // Per-connection settings; journal_mode=WAL is persistent in the file and set once by the migrator.
        _configureSql = string.Create(CultureInfo.InvariantCulture,
            $"PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds};");
    }

    public string Path { get; }

    /// <summary>Counts writes committed by this process; caches derived from the data compare it to stay fresh.</summary>
    public long Generation => Interlocked.Read(ref _generation);
    private long _generation;

    /// <summary>A connection for reads. Wrap several statements in a deferred transaction to read one snapshot.</summary>
    public async Task<SqliteConnection> OpenReadAsync(CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken);
        return await OpenAsync(cancellationToken);
    }

    /// <summary>A read connection with its prepared statements kept from earlier uses (<see cref="ReadSession"/>), for
    /// the hot read path; dispose it to hand it back.</summary>
    public async ValueTask<ReadSession> ReadSessionAsync(CancellationToken cancellationToken)
    {
        if (_sessions.TryRent() is { } idle)
            return idle;
        return new ReadSession(_sessions, await OpenReadAsync(cancellationToken));
    }

    /// <summary>Runs <paramref name="work"/> in a BEGIN IMMEDIATE transaction, committed when it returns and rolled
    /// back when it throws (including cancellation): nothing is ever half-written.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = connection.BeginTransaction(deferred: false);
            using var statements = StatementCache.Attach(connection, transaction);
            var result = await work(connection, cancellationToken);
            // The work is done: do not let a late cancellation turn a complete write into a rollback.
            await transaction.CommitAsync(CancellationToken.None);
            Interlocked.Increment(ref _generation);
            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (_configured.TryGetValue(connection.Handle!, out _))
                return connection;
            await using var command = connection.CreateCommand();
            command.CommandText = _configureSql;
            await command.ExecuteNonQueryAsync(cancellationToken);
            _configured.AddOrUpdate(connection.Handle!, this);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
            return;
        await _initGate.WaitAsync(cancellationToken);
        try
        {
            if (_initialized)
                return;
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            await using var connection = await OpenAsync(cancellationToken);
            await SqliteMigrator.MigrateAsync(connection, Path, _time, _logger, cancellationToken);
            _initialized = true;
        }
        finally
        {
            _initGate.Release();
        }
    }

    public void Dispose()
    {
        // Pooled connections keep the file open; release them so the file can be moved or deleted.
        _sessions.Dispose();
        using (var connection = new SqliteConnection(_connectionString))
            SqliteConnection.ClearPool(connection);
        _writeGate.Dispose();
        _initGate.Dispose();
    }
}
