using Npgsql;
using Quarry.Indexing;

namespace Quarry.Storage.Postgres;

/// <summary>The tsquery of each query term (SQL expressions, a correction OR'ed into its word's) and the parameters
/// they bind.</summary>
internal sealed record TsQuery(IReadOnlyList<string> Terms, IReadOnlyList<NpgsqlParameter> Parameters)
{
    /// <summary>Any of the terms.</summary>
    public string Sql => "(" + string.Join(" || ", Terms) + ")";
}

/// <summary>
/// Turns what a user typed into a tsquery that can only ever mean "any of these words or phrases". The terms come from
/// <see cref="KeywordQuery"/> and each one is a bound parameter of <c>phraseto_tsquery</c>, which parses its argument
/// as plain text: no user character ever reaches tsquery syntax (<c>! &amp; | : * &lt;-&gt; ( )</c>) or SQL. The terms
/// are joined with <c>||</c> (OR), as BM25 engines match any query word and let the ranking sort it out.
/// </summary>
internal static class TsQueryBuilder
{
    /// <summary>Text search configuration of the <c>chunks.search</c> column (migration 0001).</summary>
    public const string Configuration = "quarry_english";

    /// <summary>The tsquery, or null when the text has no searchable word (search returns nothing).</summary>
    /// <param name="corrections">Indexed lexemes to search alongside misspelled words, as prefixes (see
    /// <see cref="SpellingCorrector"/>); they come from the index vocabulary and are used only when all letters.</param>
    public static TsQuery? Build(string? query, IReadOnlyDictionary<string, string>? corrections = null)
    {
        var terms = KeywordQuery.Terms(query);
        if (terms.Count == 0)
            return null;

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var sql = new List<string>();
        var parameters = new List<NpgsqlParameter>();
        foreach (var term in terms)
        {
            var text = string.Join(' ', term);
            if (!seen.Add(text))
                continue;
            if (seen.Count > KeywordQuery.MaxTerms)
                break;
            var expression = $"phraseto_tsquery('{Configuration}', quarry_fold({Bind(parameters, text)}))";
            // A correction is a lexeme of the index (already stemmed): matched as a prefix and not stemmed again. Its
            // letters-only check is what makes the ':*' suffix the only syntax in the string.
            if (term.Count == 1 && corrections is not null && corrections.TryGetValue(text, out var correction) &&
                correction.Length > 0 && correction.All(char.IsLetter))
                expression = $"({expression} || to_tsquery('simple', {Bind(parameters, correction + ":*")}))";
            sql.Add(expression);
        }
        return new TsQuery(sql, parameters);
    }

    /// <summary>The single words (outside quoted phrases) that the query searches for; candidates for spelling correction.</summary>
    public static IReadOnlyList<string> SearchWords(string? query) => KeywordQuery.SearchWords(query);

    private static string Bind(List<NpgsqlParameter> parameters, string value)
    {
        var name = "k" + parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        parameters.Add(new NpgsqlParameter<string>(name, value));
        return "@" + name;
    }
}
