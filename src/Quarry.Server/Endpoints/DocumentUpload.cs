using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Quarry.Documents;
using Quarry.Ingestion;
using Quarry.Parsing;
using Quarry.Server.Auth;
using Quarry.Server.Errors;
using Quarry.Server.Jobs;
using Quarry.Server.Limits;
using Quarry.Storage;

namespace Quarry.Server.Endpoints;

/// <summary>
/// <c>POST /v1/knowledge-bases/{kb}/documents</c>: a multipart upload (field <c>file</c>, optional fields
/// <c>title</c>, <c>sourceUri</c>, <c>tags</c> as a JSON object or repeated <c>tag=key=value</c>) or a JSON body
/// (<see cref="UploadTextRequest"/>). The bytes are stored durably, then a job is enqueued and 202 returned; the same
/// content uploaded again for the same source is reported as unchanged (200) without a job.
/// </summary>
internal static class DocumentUpload
{
    // Multipart boundaries and part headers around the file itself.
    private const long MultipartOverhead = 64 * 1024;
    private const int MaxFieldLength = 16 * 1024;

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("", HandleAsync)
            .RequireAuthorization(Policies.Writer)
            .WithName("UploadDocument")
            // One Accepts: the route's content-type matcher uses the last one, so both types are named together.
            .Accepts<UploadTextRequest>("application/json", "multipart/form-data")
            .Produces<UploadResponse>(StatusCodes.Status202Accepted)
            .Produces<UploadResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithRequestTimeout(Timeouts.Upload);

    private static async Task<IResult> HandleAsync(
        string kb, HttpContext http, IDocumentStore store, IIngestionJobStore jobs, UploadStore uploads, JobSignal signal,
        Quotas quotas, IOptions<LimitOptions> limits, DocumentPreflight preflight, CancellationToken ct)
    {
        var maxBytes = limits.Value.MaxUploadBytes;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = maxBytes + MultipartOverhead;
        if (http.Request.ContentLength > maxBytes + MultipartOverhead)
            return TooLarge(maxBytes);

        var tenant = http.User.Tenant();
        var knowledgeBase = await KnowledgeBaseLookup.FindAsync(store, http.User, kb, ct);
        if (knowledgeBase is null) return KnowledgeBaseLookup.NotFound(kb);
        if (await quotas.CheckUploadAsync(tenant, http.Request.ContentLength ?? 0, ct) is { } early)
            return TypedResults.Problem(early);

        var contentType = http.Request.ContentType ?? "";
        var (upload, error) = contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            ? await ReadMultipartAsync(http.Request, uploads, ct)
            : http.Request.HasJsonContentType()
                ? await ReadJsonAsync(http.Request, uploads, ct)
                : (null, Problems.Result(Problems.UnsupportedMediaType, "Send multipart/form-data with a 'file' field, or application/json with 'text'."));
        if (error is not null) return error;
        var accepted = upload!;

        try
        {
            if (accepted.Stored.SizeBytes > maxBytes)
            {
                uploads.Delete(accepted.Stored.Name);
                return TooLarge(maxBytes);
            }
            if (await UploadChecks.PreflightAsync(preflight, uploads.PathOf(accepted.Stored.Name), accepted.FileName, accepted.ContentType,
                    accepted.Stored.SizeBytes, ct) is { } rejected)
            {
                uploads.Delete(accepted.Stored.Name);
                return rejected;
            }
            var sourceUri = string.IsNullOrWhiteSpace(accepted.SourceUri) ? $"upload://{knowledgeBase.Name}/{accepted.FileName}" : accepted.SourceUri;
            var documentId = DocumentIdentity.ForSource(tenant, knowledgeBase.Id, sourceUri);
            if (await store.GetChecksumAsync(tenant, documentId, ct) == accepted.Stored.Checksum)
            {
                uploads.Delete(accepted.Stored.Name);
                if (accepted.Allow is { } allow && await store.SetDocumentAccessAsync(tenant, documentId, allow, ct) is not null)
                {
                    await Quarry.Indexing.Vectors.VectorIndexFreshness.CatchUpAsync(
                        http.RequestServices.GetService(typeof(Quarry.Indexing.IVectorIndex)) as Quarry.Indexing.IVectorIndex, ct);
                    http.Audit(Quarry.Audit.AuditKinds.DocumentAccessChanged, documentId.Value, knowledgeBase.Name);
                }
                return TypedResults.Ok(new UploadResponse(null, documentId.Value, "unchanged", knowledgeBase.Name));
            }
            if (await quotas.CheckUploadAsync(tenant, accepted.Stored.SizeBytes, ct) is { } quota)
            {
                uploads.Delete(accepted.Stored.Name);
                return TypedResults.Problem(quota);
            }

            var payload = new IngestionPayload(knowledgeBase.Name, sourceUri, accepted.FileName, accepted.ContentType, accepted.Title,
                accepted.Tags, accepted.Stored.Name, accepted.Stored.SizeBytes, accepted.Stored.Checksum) { Allow = accepted.Allow };
            await uploads.PublishAsync(accepted.Stored.Name, ct);
            var job = await jobs.EnqueueAsync(new NewIngestionJob(tenant, knowledgeBase.Id, documentId, payload.Serialize()), ct);
            signal.Notify();
            return TypedResults.Accepted($"/v1/jobs/{job.Id}", new UploadResponse(job.Id.Value, documentId.Value, "queued", knowledgeBase.Name));
        }
        catch
        {
            await uploads.DeleteEverywhereAsync(accepted.Stored.Name, CancellationToken.None);
            throw;
        }
    }

    private static IResult TooLarge(long maxBytes) =>
        Problems.Result(Problems.PayloadTooLarge, $"Uploads are limited to {maxBytes:N0} bytes (Server:Limits:MaxUploadBytes).");

    private static async Task<(AcceptedUpload?, IResult?)> ReadMultipartAsync(HttpRequest request, UploadStore uploads, CancellationToken ct)
    {
        var boundary = MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            ? HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value : null;
        if (string.IsNullOrEmpty(boundary))
            return (null, Problems.Invalid("The multipart body has no boundary."));
        if (UploadChecks.CheckBoundary(boundary) is { } badBoundary)
            return (null, badBoundary);

        var reader = new MultipartReader(boundary, request.Body);
        var fields = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        StoredUpload? stored = null;
        string? fileName = null, fileType = null;
        try
        {
            MultipartSection? section;
            while ((section = await reader.ReadNextSectionAsync(ct)) is not null)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (disposition.IsFileDisposition())
                {
                    if (name != "file" || stored is not null) continue;
                    fileName = Path.GetFileName(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value);
                    fileType = section.ContentType;
                    stored = await uploads.SaveAsync(section.Body, ct);
                }
                else
                {
                    using var text = new StreamReader(section.Body);
                    var buffer = new char[MaxFieldLength + 1];
                    var read = await text.ReadBlockAsync(buffer, ct);
                    if (read > MaxFieldLength) return (Cleanup(), Problems.Invalid($"The form field '{name}' is longer than {MaxFieldLength} characters."));
                    (fields.TryGetValue(name, out var list) ? list : fields[name] = []).Add(new string(buffer, 0, read));
                }
            }
        }
        catch (InvalidDataException ex)
        {
            return (Cleanup(), Problems.Invalid("The multipart body is malformed: " + ex.Message));
        }
        catch (IOException ex) when (!ct.IsCancellationRequested)
        {
            // Kestrel's BadHttpRequestException (a body shorter than announced) is an IOException.
            return (Cleanup(), UploadChecks.Truncated(ex));
        }
        catch
        {
            Cleanup();
            throw;
        }
        if (stored is null)
            return (null, Problems.Invalid("The multipart body has no 'file' part."));

        var tags = ParseTags(fields);
        if (tags is null)
            return (Cleanup(), Problems.Invalid("'tags' must be a JSON object of strings, and each 'tag' field key=value."));
        var (allow, allowError) = DocumentAccessEndpoints.FromUpload(fields.GetValueOrDefault("allow"));
        if (allowError is not null) return (Cleanup(), allowError);
        return (new AcceptedUpload(stored, string.IsNullOrWhiteSpace(fileName) ? "upload.txt" : fileName,
            fileType is null or "application/octet-stream" ? null : fileType,
            First(fields, "title"), First(fields, "sourceUri"), tags) { Allow = allow }, null);

        AcceptedUpload? Cleanup()
        {
            if (stored is not null) uploads.Delete(stored.Name);
            return null;
        }
    }

    private static async Task<(AcceptedUpload?, IResult?)> ReadJsonAsync(HttpRequest request, UploadStore uploads, CancellationToken ct)
    {
        UploadTextRequest? body;
        try
        {
            body = await request.ReadFromJsonAsync<UploadTextRequest>(ct);
        }
        catch (JsonException ex)
        {
            return (null, Problems.Result(Problems.MalformedJson, ex.Message));
        }
        if (body is null) return (null, Problems.Invalid("The body must be a JSON object."));
        if (!string.IsNullOrEmpty(body.Url) && string.IsNullOrEmpty(body.Text))
            return (null, Problems.Invalid("Fetching 'url' sources is not enabled on this server: send the content as 'text', or upload the file as multipart/form-data."));
        if (string.IsNullOrWhiteSpace(body.Text))
            return (null, Problems.Invalid("'text' is required (the document's content)."));
        var (allow, allowError) = DocumentAccessEndpoints.FromUpload(body.Allow);
        if (allowError is not null) return (null, allowError);

        var fileName = string.IsNullOrWhiteSpace(body.FileName) ? "text.md" : Path.GetFileName(body.FileName);
        await using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body.Text), writable: false);
        var stored = await uploads.SaveAsync(content, ct);
        var sourceUri = body.SourceUri ?? body.Url ?? $"text:{stored.Checksum[..16]}";
        return (new AcceptedUpload(stored, fileName, body.ContentType, body.Title, sourceUri,
            body.Tags ?? new Dictionary<string, string>(StringComparer.Ordinal)) { Allow = allow }, null);
    }

    private static Dictionary<string, string>? ParseTags(Dictionary<string, List<string>> fields)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (First(fields, "tags") is { } json && !string.IsNullOrWhiteSpace(json))
        {
            try
            {
                foreach (var (key, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [])
                    tags[key] = value;
            }
            catch (JsonException)
            {
                return null;
            }
        }
        foreach (var pair in fields.GetValueOrDefault("tag") ?? [])
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) return null;
            tags[pair[..eq]] = pair[(eq + 1)..];
        }
        return tags;
    }

    private static string? First(Dictionary<string, List<string>> fields, string name) =>
        fields.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    private sealed record AcceptedUpload(
        StoredUpload Stored, string FileName, string? ContentType, string? Title, string? SourceUri, Dictionary<string, string> Tags)
    {
        /// <summary>The access list sent with the upload, normalized; null: keep the document's current one.</summary>
        public IReadOnlyList<string>? Allow { get; init; }
    }
}
