using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Quarry.Audit;
using Quarry.Server.Errors;

namespace Quarry.Server.Audit;

/// <summary>
/// Fail-closed auditing: while audit records cannot be written (the store fails, or the queue overflowed), answered
/// requests (search, ask, chat completions) are refused with 503 instead of being served unrecorded. Runs first in
/// the pipeline; does nothing in the default fail-open mode.
/// </summary>
internal sealed class AuditGate(IAuditStatus status) : IStartupFilter
{
    private static readonly string[] AnsweredPaths = ["/v1/search", "/v1/ask", "/v1/chat/completions"];

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        if (status.FailureMode == AuditFailureMode.Closed)
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (status.IsFailing && IsAnswered(context.Request))
                {
                    await Problems.WriteAsync(context, Problems.Create(Problems.Unavailable,
                        "Audit records cannot be written and Audit:FailureMode is Closed; try again shortly."));
                    return;
                }
                await nextMiddleware(context);
            });
        }
        next(app);
    };

    private static bool IsAnswered(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && AnsweredPaths.Any(p => request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));
}
