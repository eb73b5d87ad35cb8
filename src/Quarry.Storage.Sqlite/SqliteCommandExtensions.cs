using Microsoft.Data.Sqlite;

namespace Quarry.Storage.Sqlite;

internal static class SqliteCommandExtensions
{
    /// <summary>A command on <paramref name="connection"/>, enlisted in its current transaction if any; in a write
    /// transaction, a prepared statement reused from earlier in it (<see cref="StatementCache"/>).</summary>
    public static SqliteCommand Command(this SqliteConnection connection, string sql) =>
        StatementCache.TryRent(connection, sql) ?? NewCommand(connection, sql);

    private static SqliteCommand NewCommand(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    public static SqliteCommand With(this SqliteCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    public static string? GetNullableString(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static int? GetNullableInt32(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);

    public static long? GetNullableInt64(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}
