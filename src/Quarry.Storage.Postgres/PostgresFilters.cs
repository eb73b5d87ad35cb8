using System.Text;
using Npgsql;
using NpgsqlTypes;
using Quarry.Retrieval;

namespace Quarry.Storage.Postgres;

/// <summary>
/// WHERE fragments shared by listing, keyword search and vector search. Every fragment is constant text; values (lists
/// as arrays) are always parameters, so no input ever becomes SQL. Aliases: <c>d</c> is documents, <c>c</c> chunks.
/// </summary>
internal sealed class PostgresFilters
{
    private readonly StringBuilder _where = new();
    private readonly List<NpgsqlParameter> _parameters = [];

    /// <summary>The conditions, each starting with " AND ": append after a WHERE that already has one condition.</summary>
    public string Sql => _where.ToString();

    public IReadOnlyList<NpgsqlParameter> Parameters => _parameters;

    /// <summary>Everything of <paramref name="filter"/> except the tenant, which callers put first in their WHERE (it
    /// leads every index).</summary>
    public static PostgresFilters ForSearch(SearchFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var f = new PostgresFilters();
        f.In("c.kb_id", "f_kbs", filter.KnowledgeBases.Select(k => k.Value));
        f.In("c.doc_id", "f_docs", filter.Documents.Select(d => d.Value));
        f.SourcePrefix("d.source_uri", filter.SourcePrefix);
        f.TagsAll("d", filter.TagsAll);
        f.TagsAny("d", filter.TagsAny);
        f.Access("d", filter.Access);
        if (filter.UpdatedFrom is { } from)
            f.Condition("d.updated_at >= @f_updated_from", new NpgsqlParameter<DateTimeOffset>("f_updated_from", from));
        if (filter.UpdatedTo is { } to)
            f.Condition("d.updated_at <= @f_updated_to", new NpgsqlParameter<DateTimeOffset>("f_updated_to", to));
        return f;
    }

    public void Condition(string sql, params NpgsqlParameter[] parameters)
    {
        _where.Append(" AND ").Append(sql);
        _parameters.AddRange(parameters);
    }

    /// <summary>
    /// The caller's access: the ids of the lists naming one of its principals come from an uncorrelated subquery (one
    /// index probe per principal, run once, hashed), so each candidate costs one hash lookup. Needs <c>@tenant</c>.
    /// </summary>
    public void Access(string document, Quarry.Access.AccessScope access)
    {
        if (access.Bypass)
            return;
        if (access.Principals.Count == 0)
        {
            Condition($"{document}.acl_id IS NULL");
            return;
        }
        Condition(
            $"({document}.acl_id IS NULL OR {document}.acl_id IN (SELECT e.acl_id FROM access_list_entries e " +
            "WHERE e.tenant_id = @tenant AND e.principal = ANY(@f_principals)))",
            new NpgsqlParameter<string[]>("f_principals", access.Principals.ToArray()));
    }

    public void In(string column, string parameter, IEnumerable<string> values)
    {
        var list = values.ToArray();
        if (list.Length > 0)
            Condition($"{column} = ANY(@{parameter})", new NpgsqlParameter<string[]>(parameter, list));
    }

    public void SourcePrefix(string column, string? prefix)
    {
        if (string.IsNullOrEmpty(prefix))
            return;
        // starts_with rather than LIKE: '%' and '_' in a path are data, not wildcards. The LIKE with the escaped prefix
        // is there only so that the text_pattern_ops index can be used; starts_with decides.
        Condition($"{column} LIKE @f_source_like AND starts_with({column}, @f_source_prefix)",
            new NpgsqlParameter<string>("f_source_like", EscapeLike(prefix) + "%"),
            new NpgsqlParameter<string>("f_source_prefix", prefix));
    }

    /// <summary>Every pair present: the number of matching tag rows equals the number of pairs (keys are unique).</summary>
    public void TagsAll(string document, IReadOnlyDictionary<string, string> tags)
    {
        if (tags.Count == 0)
            return;
        Condition(
            $"(SELECT count(*) FROM document_tags t JOIN unnest(@f_tags_all_keys, @f_tags_all_values) AS p(key, value) " +
            $"ON t.key = p.key AND t.value = p.value WHERE t.tenant_id = {document}.tenant_id AND t.doc_id = {document}.id) = @f_tags_all_count",
            new NpgsqlParameter<string[]>("f_tags_all_keys", tags.Keys.ToArray()),
            new NpgsqlParameter<string[]>("f_tags_all_values", tags.Values.ToArray()),
            new NpgsqlParameter<long>("f_tags_all_count", tags.Count));
    }

    public void TagsAny(string document, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        if (tags.Count == 0)
            return;
        Condition(
            $"EXISTS (SELECT 1 FROM document_tags t JOIN unnest(@f_tags_any_keys, @f_tags_any_values) AS p(key, value) " +
            $"ON t.key = p.key AND t.value = p.value WHERE t.tenant_id = {document}.tenant_id AND t.doc_id = {document}.id)",
            new NpgsqlParameter<string[]>("f_tags_any_keys", tags.Select(p => p.Key).ToArray()),
            new NpgsqlParameter<string[]>("f_tags_any_values", tags.Select(p => p.Value).ToArray()));
    }

    public void Bind(NpgsqlCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var parameter in _parameters)
            command.Parameters.Add(parameter.Clone());
    }

    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
