using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Server.Errors;

namespace Quarry.Server.Limits;

/// <summary>Per-route time limits; a request over its limit has its RequestAborted token cancelled and gets a 504 problem.</summary>
internal static class Timeouts
{
    public const string Search = "search";
    public const string Ask = "ask";
    public const string Upload = "upload";

    public static IServiceCollection AddQuarryTimeouts(this IServiceCollection services, LimitOptions limits)
    {
        services.AddRequestTimeouts(options =>
        {
            options.DefaultPolicy = Policy(limits.DefaultTimeout);
            options.AddPolicy(Search, Policy(limits.SearchTimeout));
            options.AddPolicy(Ask, Policy(limits.AskTimeout));
            options.AddPolicy(Upload, Policy(limits.UploadTimeout));
        });
        return services;
    }

    private static string Describe(TimeSpan timeout) => timeout >= TimeSpan.FromSeconds(1)
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{timeout.TotalSeconds:0.#} s")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{timeout.TotalMilliseconds:0} ms");

    private static RequestTimeoutPolicy Policy(TimeSpan timeout) => new()
    {
        Timeout = timeout,
        TimeoutStatusCode = Problems.Timeout.Status,
        WriteTimeoutResponse = context => Problems.WriteAsync(context,
            Problems.Create(Problems.Timeout, $"The request did not finish within {Describe(timeout)}.")),
    };
}
