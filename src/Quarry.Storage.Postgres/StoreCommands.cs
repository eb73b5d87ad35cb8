using Npgsql;
using NpgsqlTypes;

namespace Quarry.Storage.Postgres;

/// <summary>Statement building for the document store: commands and batch statements with typed parameters.</summary>
internal static class StoreCommands
{
    public static NpgsqlCommand Command(this NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null) =>
        new(sql, connection, transaction);

    /// <summary>Adds a statement to <paramref name="batch"/>: statements of one batch travel in one round trip.</summary>
    public static NpgsqlBatchCommand Statement(this NpgsqlBatch batch, string sql)
    {
        var statement = new NpgsqlBatchCommand(sql);
        batch.BatchCommands.Add(statement);
        return statement;
    }

    public static NpgsqlCommand Arg<T>(this NpgsqlCommand command, string name, T value)
    {
        command.Parameters.Add(Parameter(name, value));
        return command;
    }

    public static NpgsqlBatchCommand Arg<T>(this NpgsqlBatchCommand command, string name, T value)
    {
        command.Parameters.Add(Parameter(name, value));
        return command;
    }

    /// <summary>Binds the parameters of <paramref name="filters"/>, whose conditions the statement's text includes.</summary>
    public static NpgsqlBatchCommand Filtered(this NpgsqlBatchCommand command, PostgresFilters filters)
    {
        foreach (var parameter in filters.Parameters)
            command.Parameters.Add(parameter.Clone());
        return command;
    }

    /// <summary>A text parameter that may be NULL.</summary>
    public static NpgsqlBatchCommand Text(this NpgsqlBatchCommand command, string name, string? value)
    {
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = value is null ? DBNull.Value : Clean(value) });
        return command;
    }

    /// <summary>PostgreSQL text cannot hold U+0000, which a carelessly encoded file may contain. It becomes U+FFFD: one
    /// UTF-16 unit for one, so spans into the normalized text still point at the same characters.</summary>
    public static string Clean(string value) =>
        value.Contains('\0', StringComparison.Ordinal) ? value.Replace('\0', '\uFFFD') : value;

    private static NpgsqlParameter Parameter<T>(string name, T value) => value switch
    {
        string text => new NpgsqlParameter<string>(name, Clean(text)),
        _ => new NpgsqlParameter<T>(name, value),
    };
}
