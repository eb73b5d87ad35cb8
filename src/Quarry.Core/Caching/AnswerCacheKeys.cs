using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Quarry.Answering;
using Quarry.Prompting;

namespace Quarry.Caching;

/// <summary>
/// Cache keys. The scope is everything except the question (tenant, access scope, knowledge bases and their versions,
/// filters, evidence count, model, prompt version, conversation); the exact key adds the normalized question. The
/// semantic layer only compares questions within one scope, so it can never cross a tenant, a filter or a version.
/// </summary>
internal static class AnswerCacheKeys
{
    /// <summary>Changes whenever a prompt text changes, so answers written under an old prompt are not served.</summary>
    public static string PromptVersion { get; } = Hash(string.Join("\u001f", PromptTemplates.System, PromptTemplates.Evidence,
        PromptTemplates.Question, PromptTemplates.HistoryOmitted, PromptTemplates.NotFoundReply))[..16];

    /// <summary>Case, spacing, Unicode form and closing punctuation do not make a different question.</summary>
    public static string Normalize(string question)
    {
        var text = question.Normalize(NormalizationForm.FormKC).ToLowerInvariant();
        var result = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = result.Length > 0;
                continue;
            }
            if (space) result.Append(' ');
            space = false;
            result.Append(c);
        }
        var end = result.Length;
        while (end > 0 && (char.IsPunctuation(result[end - 1]) || char.IsWhiteSpace(result[end - 1])) && result[end - 1] is not ')' and not '"') end--;
        return result.ToString(0, end);
    }

    /// <param name="accessScope">Opaque: who may see which documents (document permissions); empty when none apply.</param>
    public static string Scope(AskRequest request, string knowledgeVersion, string model, string accessScope)
    {
        var b = new StringBuilder();
        Filter(b, request.Filter, knowledgeVersion, accessScope);
        Field(b, "topk", request.TopK?.ToString(CultureInfo.InvariantCulture) ?? "");
        Field(b, "model", model);
        Field(b, "requested", request.Model ?? "");
        Field(b, "temperature", request.Temperature?.ToString("R", CultureInfo.InvariantCulture) ?? "");
        Field(b, "max-output", request.MaxOutputTokens?.ToString(CultureInfo.InvariantCulture) ?? "");
        Field(b, "prompt", PromptVersion);
        // A follow-up ("and the second one?") means something else after a different conversation.
        foreach (var turn in request.History) Field(b, turn.Role.ToString(), turn.Content);
        return Hash(b.ToString());
    }

    /// <summary>The key of one search: everything that can change its results, the query exactly as sent (a search
    /// highlights and ranks the words given, so only whitespace is normalized).</summary>
    public static string Search(Retrieval.RetrievalRequest request, string knowledgeVersion, string accessScope)
    {
        var b = new StringBuilder("search\n");
        Filter(b, request.Filter, knowledgeVersion, accessScope);
        Field(b, "topk", request.TopK?.ToString(CultureInfo.InvariantCulture) ?? "");
        Field(b, "query", string.Join(' ', request.Query.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
        return "quarry:search:" + Hash(b.ToString());
    }

    private static void Filter(StringBuilder b, Retrieval.SearchFilter f, string knowledgeVersion, string accessScope)
    {
        Field(b, "tenant", f.Tenant.Value);
        Field(b, "access", accessScope);
        Field(b, "kbs", string.Join(",", f.KnowledgeBases.Select(k => k.Value).Order(StringComparer.Ordinal)));
        Field(b, "knowledge", knowledgeVersion);
        Field(b, "docs", string.Join(",", f.Documents.Select(d => d.Value).Order(StringComparer.Ordinal)));
        Field(b, "all", string.Join(",", f.TagsAll.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key + "=" + t.Value)));
        Field(b, "any", string.Join(",", f.TagsAny.Select(t => t.Key + "=" + t.Value).Order(StringComparer.Ordinal)));
        Field(b, "prefix", f.SourcePrefix ?? "");
        Field(b, "from", f.UpdatedFrom?.UtcTicks.ToString(CultureInfo.InvariantCulture) ?? "");
        Field(b, "to", f.UpdatedTo?.UtcTicks.ToString(CultureInfo.InvariantCulture) ?? "");
    }

    public static string Exact(string scope, string normalizedQuestion) => "quarry:answer:" + Hash(scope + "\n" + normalizedQuestion);

    // Length-prefixed, so no value can forge another field's boundary.
    private static void Field(StringBuilder b, string name, string value) =>
        b.Append(name).Append(':').Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append('\n');

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
