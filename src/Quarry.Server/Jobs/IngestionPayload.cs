using System.Text.Json;

namespace Quarry.Server.Jobs;

/// <summary>What an upload job ingests; stored as the job's payload (JSON) so that any worker process can run it.</summary>
/// <param name="Upload">Name of the file in the <see cref="UploadStore"/>.</param>
internal sealed record IngestionPayload(
    string KnowledgeBase,
    string SourceUri,
    string FileName,
    string? ContentType,
    string? Title,
    IReadOnlyDictionary<string, string> Tags,
    string Upload,
    long SizeBytes,
    string Checksum)
{
    /// <summary>The document's access list; null keeps its current one.</summary>
    public IReadOnlyList<string>? Allow { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Serialize() => JsonSerializer.Serialize(this, Json);

    public static IngestionPayload? TryParse(string payload)
    {
        try
        {
            return JsonSerializer.Deserialize<IngestionPayload>(payload, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
