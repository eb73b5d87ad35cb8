using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Quarry.Storage.Sqlite;

/// <summary>
/// WHERE fragments shared by listing and search. Every fragment is constant text; values (lists included, as one
/// JSON parameter read with json_each) are always parameters, so no input ever becomes SQL.
/// </summary>
internal static class SqlFilters
{
    public static void AppendSourcePrefix(StringBuilder where, List<(string, object?)> parameters, string column, string? prefix)
    {
        if (string.IsNullOrEmpty(prefix))
            return;
        // substr rather than LIKE: '%' and '_' in a path are data, not wildcards.
        where.Append(" AND substr(").Append(column).Append(", 1, length($source_prefix)) = $source_prefix");
        parameters.Add(("$source_prefix", prefix));
    }

    /// <summary>Every pair present: the number of matching tag rows equals the number of pairs (keys are unique).</summary>
    public static void AppendTagsAll(StringBuilder where, List<(string, object?)> parameters, string document, IReadOnlyDictionary<string, string> tags)
    {
        if (tags.Count == 0)
            return;
        where.Append(" AND (SELECT count(*) FROM document_tags t JOIN json_each($tags_all) j ON t.key = j.key AND t.value = j.value")
            .Append(" WHERE t.tenant_id = ").Append(document).Append(".tenant_id AND t.doc_id = ").Append(document).Append(".id) = $tags_all_count");
        parameters.Add(("$tags_all", StoreJson.Tags(tags)));
        parameters.Add(("$tags_all_count", tags.Count));
    }

    public static void AppendTagsAny(StringBuilder where, List<(string, object?)> parameters, string document, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        if (tags.Count == 0)
            return;
        where.Append(" AND EXISTS (SELECT 1 FROM document_tags t JOIN json_each($tags_any) j")
            .Append(" ON t.key = j.value ->> '$[0]' AND t.value = j.value ->> '$[1]'")
            .Append(" WHERE t.tenant_id = ").Append(document).Append(".tenant_id AND t.doc_id = ").Append(document).Append(".id)");
        var pairs = tags.Select(p => new[] { p.Key, p.Value }).ToArray();
        parameters.Add(("$tags_any", JsonSerializer.Serialize(pairs, StoreJsonContext.Default.StringArrayArray)));
    }

    /// <summary>
    /// The caller's access: the ids of the lists naming one of its principals are read once (an uncorrelated subquery,
    /// materialized by SQLite before the scan), then each candidate costs one lookup in that set. Needs <c>$tenant</c>.
    /// </summary>
    public static void AppendAccess(StringBuilder where, List<(string, object?)> parameters, string document, Access.AccessScope access)
    {
        if (access.Bypass)
            return;
        if (access.Principals.Count == 0)
        {
            where.Append(" AND ").Append(document).Append(".acl_id IS NULL");
            return;
        }
        where.Append(" AND (").Append(document).Append(".acl_id IS NULL OR ").Append(document)
            .Append(".acl_id IN (SELECT e.acl_id FROM access_list_entries e WHERE e.tenant_id = $tenant")
            .Append(" AND e.principal IN (SELECT value FROM json_each($principals))))");
        parameters.Add(("$principals", JsonArray(access.Principals)));
    }

    public static void AppendIn(StringBuilder where, List<(string, object?)> parameters, string column, string parameter, IEnumerable<string> values)
    {
        var list = values.ToArray();
        if (list.Length == 0)
            return;
        where.Append(" AND ").Append(column).Append(" IN (SELECT value FROM json_each(").Append(parameter).Append("))");
        parameters.Add((parameter, JsonArray(list)));
    }

    public static string JsonArray(IEnumerable<string> values) =>
        JsonSerializer.Serialize(values.ToArray(), StoreJsonContext.Default.StringArray);

    public static void Bind(SqliteCommand command, List<(string Name, object? Value)> parameters)
    {
        foreach (var (name, value) in parameters)
            command.With(name, value);
    }
}
