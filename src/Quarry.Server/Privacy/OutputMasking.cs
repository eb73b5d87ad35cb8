using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Privacy;
using Quarry.Server.Auth;

namespace Quarry.Server.Privacy;

/// <summary>
/// The output half of the privacy stage: for a tenant whose policy masks, every API response (answers, streams,
/// chat completions, search results, documents, jobs, audit records, problems) is masked on its way out. Placed after
/// authentication (the tenant decides the policy) and around the endpoints, so no endpoint can forget it.
/// </summary>
internal static class OutputMasking
{
    public static WebApplication UseQuarryOutputMasking(this WebApplication app)
    {
        var masker = app.Services.GetRequiredService<PrivacyMasker>();
        var memo = new MaskMemo(masker);
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/v1") || context.Request.Path.StartsWithSegments("/v1/keys")
                || context.User.TryTenant() is not { } tenant || !masker.MasksOutput(tenant))
            {
                await next(context);
                return;
            }
            var original = context.Response.Body;
            var masking = new MaskingResponseStream(original, context.Response, masker, memo, tenant);
            context.Response.Body = masking;
            try
            {
                await next(context);
                await masking.CompleteAsync(context.RequestAborted);
            }
            finally
            {
                context.Response.Body = original;
            }
        });
        return app;
    }
}
