using System.Text.Json.Nodes;
using Quarry.Documents;
using Quarry.Privacy;

namespace Quarry.Server.Privacy;

/// <summary>
/// Masks every string value of a JSON document except identifiers and enumerations, so a field added to a response
/// later is masked without anyone remembering to (deny by default).
/// </summary>
internal static class JsonMasking
{
    private static readonly HashSet<string> Verbatim = new(StringComparer.OrdinalIgnoreCase)
    {
        "id", "documentId", "chunkId", "jobId", "keyId", "object", "type", "role", "model", "status", "mode", "degraded",
        "checksum", "finish_reason", "traceId", "contentType", "language", "tenant", "knowledgeBase", "prefix", "kind",
        "createdAt", "updatedAt", "finishedAt", "startedAt", "code", "system_fingerprint", "hash", "previousHash",
    };

    public static bool IsVerbatim(string property) => Verbatim.Contains(property);

    public static void Mask(JsonNode? node, PrivacyMasker masker, TenantId tenant, string? property = null)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    if (child is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        if (!Verbatim.Contains(name) && text.Length > 0) obj[name] = masker.Mask(text, tenant);
                    }
                    else
                    {
                        Mask(child, masker, tenant, name);
                    }
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        if (property is null || !Verbatim.Contains(property)) array[i] = masker.Mask(text, tenant);
                    }
                    else
                    {
                        Mask(array[i], masker, tenant, property);
                    }
                }
                break;
        }
    }
}
