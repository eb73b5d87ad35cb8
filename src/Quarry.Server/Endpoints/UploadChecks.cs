using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Quarry.Parsing;
using Quarry.Server.Errors;

namespace Quarry.Server.Endpoints;

/// <summary>
/// Upload checks answered synchronously, before a job is queued: a type no parser reads is 415, an empty or binary file
/// (or one whose bytes contradict its name) is 422, each with the rejection reason as in job errors. Multipart bodies
/// the reader cannot handle are the client's fault (400), never a 500.
/// </summary>
internal static class UploadChecks
{
    /// <summary>RFC 2046 caps multipart boundaries at 70 characters; the reader's buffer needs them shorter than it.</summary>
    public const int MaxBoundaryLength = 70;

    public static async Task<IResult?> PreflightAsync(
        DocumentPreflight preflight, string path, string fileName, string? contentType, long length, CancellationToken cancellationToken)
    {
        var head = new byte[(int)Math.Min(DocumentPreflight.HeadBytes, length)];
        await using (var file = File.OpenRead(path))
            await file.ReadExactlyAsync(head, cancellationToken);
        if (preflight.Check(fileName, contentType, head, length) is not { } rejection) return null;
        var kind = rejection.Reason == RejectionReason.UnsupportedType ? Problems.UnsupportedMediaType : Problems.DocumentRejected;
        var problem = Problems.Create(kind, rejection.Message);
        problem.Extensions["reason"] = rejection.Code;
        return TypedResults.Problem(problem);
    }

    public static IResult? CheckBoundary(string boundary) =>
        boundary.Length > MaxBoundaryLength
            ? Problems.Invalid($"The multipart boundary is longer than {MaxBoundaryLength} characters (RFC 2046).")
            : null;

    public static IResult Truncated(IOException ex) =>
        Problems.Invalid("The multipart body is malformed or ends early: " + ex.Message);
}
