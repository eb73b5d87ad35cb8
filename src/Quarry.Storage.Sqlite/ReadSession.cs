using Microsoft.Data.Sqlite;

namespace Quarry.Storage.Sqlite;

/// <summary>
/// A read connection kept open between searches, with its prepared statements. A search used to open pooled
/// connections (each open ran the configuration PRAGMAs) and prepare its four or five statements again every time;
/// on a small knowledge base that cost about as much as FTS5's own ranking. Statements handed out by
/// <see cref="Command"/> come back when disposed and keep their compiled form for the next search on this session.
/// Sessions only read, outside transactions: each statement reads its own snapshot and releases it when its reader is
/// disposed, so an idle session holds no lock and never holds back a WAL checkpoint.
/// </summary>
internal sealed class ReadSession : IAsyncDisposable
{
    /// <summary>Past this many distinct statements (filters differ in shape) the cache starts over.</summary>
    private const int MaxStatements = 64;

    private readonly ReadSessionPool _pool;
    private readonly Dictionary<string, CachedCommand> _idle = new(StringComparer.Ordinal);
    private bool _closed;

    public ReadSession(ReadSessionPool pool, SqliteConnection connection)
    {
        _pool = pool;
        Connection = connection;
    }

    public SqliteConnection Connection { get; }

    /// <summary>Per-session memo of the spelling probes (<c>SqliteStore.Spelling.cs</c>), valid for one
    /// <see cref="DataVersion"/> of the file.</summary>
    public Dictionary<string, bool> KnownWords { get; } = new(StringComparer.Ordinal);

    /// <summary>The <c>PRAGMA data_version</c> that <see cref="KnownWords"/> was filled under; -1 when empty.</summary>
    public long DataVersion { get; set; } = -1;

    /// <summary>The prepared statement for <paramref name="sql"/>; dispose it to hand it back (parameters cleared).</summary>
    public SqliteCommand Command(string sql)
    {
        if (!_idle.Remove(sql, out var command))
            command = new CachedCommand(this) { Connection = Connection, CommandText = sql };
        return command;
    }

    private bool Return(CachedCommand command)
    {
        if (_closed || _idle.Count >= MaxStatements || !_idle.TryAdd(command.CommandText, command))
            return false;
        command.Parameters.Clear();
        return true;
    }

    /// <summary>Back to the pool, or closed when the pool is full or gone.</summary>
    public ValueTask DisposeAsync()
    {
        if (Connection.State != System.Data.ConnectionState.Open || !_pool.Return(this))
            Close();
        return ValueTask.CompletedTask;
    }

    /// <summary>Finalizes the statements and closes the connection for good (both are synchronous in SQLite).</summary>
    public void Close()
    {
        if (_closed) return;
        _closed = true;
        foreach (var command in _idle.Values)
            command.Dispose();
        _idle.Clear();
        Connection.Dispose();
    }

    private sealed class CachedCommand(ReadSession session) : SqliteCommand
    {
        protected override void Dispose(bool disposing)
        {
            if (disposing && session.Return(this)) return;
            base.Dispose(disposing);
        }
    }
}

/// <summary>Idle <see cref="ReadSession"/>s, newest first (its statements and pages are the warmest).</summary>
internal sealed class ReadSessionPool : IDisposable
{
    private readonly Stack<ReadSession> _idle = new();
    private readonly int _capacity;
    private bool _disposed;

    public ReadSessionPool(int capacity) => _capacity = capacity;

    public ReadSession? TryRent()
    {
        lock (_idle)
            return _idle.TryPop(out var session) ? session : null;
    }

    /// <summary>True when kept; false when the caller must close it (pool full or gone).</summary>
    public bool Return(ReadSession session)
    {
        lock (_idle)
        {
            if (_disposed || _idle.Count >= _capacity) return false;
            _idle.Push(session);
            return true;
        }
    }

    public void Dispose()
    {
        ReadSession[] sessions;
        lock (_idle)
        {
            _disposed = true;
            sessions = [.. _idle];
            _idle.Clear();
        }
        foreach (var session in sessions)
            session.Close();
    }
}
