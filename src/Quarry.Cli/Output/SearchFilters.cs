using System.Globalization;
using Quarry.Documents;
using Quarry.Retrieval;

namespace Quarry.Cli.Output;

/// <summary>Turns repeated <c>--filter key=value</c> options into a <see cref="SearchFilter"/>.</summary>
internal static class SearchFilters
{
    public const string Help = "doc=ID, source=PREFIX, tag.KEY=VALUE (all must match), anytag.KEY=VALUE (one must match), updated-after=DATE, updated-before=DATE";

    public static (SearchFilter? Filter, string? Error) Parse(TenantId tenant, IReadOnlyList<KnowledgeBaseId> knowledgeBases, IEnumerable<string>? pairs)
    {
        var documents = new List<DocumentId>();
        var tagsAll = new Dictionary<string, string>(StringComparer.Ordinal);
        var tagsAny = new List<KeyValuePair<string, string>>();
        string? source = null;
        DateTimeOffset? from = null, to = null;
        foreach (var pair in pairs ?? [])
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == pair.Length - 1)
                return (null, $"'{pair}' is not a filter: use key=value with key one of: {Help}.");
            var key = pair[..eq].Trim();
            var value = pair[(eq + 1)..].Trim();
            switch (key)
            {
                case "doc": documents.Add(new DocumentId(value)); break;
                case "source": source = value; break;
                case "updated-after" or "updated-before":
                    if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
                        return (null, $"'{value}' is not a date (use e.g. 2026-01-31 or 2026-01-31T12:00:00Z).");
                    if (key == "updated-after") from = date; else to = date;
                    break;
                case var k when k.StartsWith("tag.", StringComparison.Ordinal) && k.Length > 4: tagsAll[k[4..]] = value; break;
                case var k when k.StartsWith("anytag.", StringComparison.Ordinal) && k.Length > 7: tagsAny.Add(KeyValuePair.Create(k[7..], value)); break;
                default:
                    return (null, $"Unknown filter key '{key}'. Known keys: {Help}.");
            }
        }
        return (new SearchFilter
        {
            Tenant = tenant,
            KnowledgeBases = knowledgeBases,
            Documents = documents,
            TagsAll = tagsAll,
            TagsAny = tagsAny,
            SourcePrefix = source,
            UpdatedFrom = from,
            UpdatedTo = to,
        }, null);
    }
}
