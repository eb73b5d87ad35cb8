using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Quarry.Storage.Sqlite;

/// <summary>
/// Prepared statements kept for the length of one write transaction. Microsoft.Data.Sqlite prepares a command's SQL
/// again for every new command, and preparing a write also compiles its triggers (the keyword index, the change feed,
/// the knowledge version): a batch of documents prepared the same dozen statements for every document, which cost
/// more than running them. While a cache is attached, <see cref="SqliteCommandExtensions.Command"/> hands out its
/// statements and disposing one hands it back with its parameters cleared; the cache finalizes them all at the end.
/// </summary>
internal sealed class StatementCache : IDisposable
{
    private static readonly ConditionalWeakTable<SqliteConnection, StatementCache> Attached = new();

    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private readonly Dictionary<string, Statement> _idle = new(StringComparer.Ordinal);
    private bool _closed;

    private StatementCache(SqliteConnection connection, SqliteTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    /// <summary>Caches the statements run on <paramref name="connection"/> in <paramref name="transaction"/> until disposed.</summary>
    public static StatementCache Attach(SqliteConnection connection, SqliteTransaction transaction)
    {
        var cache = new StatementCache(connection, transaction);
        Attached.AddOrUpdate(connection, cache);
        return cache;
    }

    /// <summary>The cached statement for <paramref name="sql"/> when a cache is attached and the statement is free.</summary>
    public static SqliteCommand? TryRent(SqliteConnection connection, string sql) =>
        Attached.TryGetValue(connection, out var cache) ? cache.Rent(sql) : null;

    private Statement? Rent(string sql)
    {
        if (_closed || _connection.State != System.Data.ConnectionState.Open) return null;
        if (_idle.Remove(sql, out var idle)) return idle;
        // A statement in use (the same SQL nested in itself) gets a second copy; only one is kept.
        return new Statement(this) { Connection = _connection, Transaction = _transaction, CommandText = sql };
    }

    /// <summary>True when the statement was taken back; false when it must really be disposed.</summary>
    private bool Return(Statement statement)
    {
        if (_closed || !_idle.TryAdd(statement.CommandText, statement)) return false;
        statement.Parameters.Clear();
        return true;
    }

    public void Dispose()
    {
        if (_closed) return;
        _closed = true;
        Attached.Remove(_connection);
        foreach (var statement in _idle.Values) statement.Dispose();
        _idle.Clear();
    }

    private sealed class Statement(StatementCache cache) : SqliteCommand
    {
        protected override void Dispose(bool disposing)
        {
            if (disposing && cache.Return(this)) return;
            base.Dispose(disposing);
        }
    }
}
