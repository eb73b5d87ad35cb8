using Quarry.Documents;
using Quarry.Ingestion;

namespace Quarry.Server.Endpoints;

/// <summary>Route values to ids without exceptions: a malformed id simply names nothing (404).</summary>
internal static class Identifiers
{
    public static DocumentId? Document(string? value) => Valid(value) ? new DocumentId(value!) : null;

    public static JobId? Job(string? value) => Valid(value) ? new JobId(value!) : null;

    private static bool Valid(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= 200 && !value.Any(char.IsControl);
}
