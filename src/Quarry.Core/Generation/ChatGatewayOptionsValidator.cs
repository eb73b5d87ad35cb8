using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Quarry.Generation;

/// <summary>Start-up checks of the gateway configuration, each failure one sentence naming the configuration key.</summary>
internal sealed class ChatGatewayOptionsValidator(IServiceProviderIsKeyedService? keyedServices = null) : IValidateOptions<ChatGatewayOptions>
{
    private const string Section = ChatGatewayOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, ChatGatewayOptions options)
    {
        var failures = new List<string>();
        if (options.Providers.Count == 0)
            failures.Add($"{Section}:Providers is empty: configure at least one chat provider (Name, Endpoint, Model).");

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Providers.Count; i++)
        {
            var provider = options.Providers[i];
            var key = $"{Section}:Providers:{i}";
            if (string.IsNullOrWhiteSpace(provider.Name))
            {
                failures.Add($"{key}:Name is missing: give every chat provider a unique name.");
                continue;
            }
            if (!names.Add(provider.Name))
                failures.Add($"{key}:Name '{provider.Name}' is used by another provider: provider names must be unique.");
            ValidateProvider(provider, $"{key} ({provider.Name})", failures);
            if (keyedServices is not null && !keyedServices.IsKeyedService(typeof(IChatModel), provider.Name))
                failures.Add($"{key} ({provider.Name}) has no chat model registered under that name: register one (e.g. AddQuarryOpenAIChat) or remove the provider.");
        }

        var chain = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in options.Fallback)
        {
            if (!names.Contains(entry))
                failures.Add($"{Section}:Fallback names '{entry}', which is not one of the configured providers ({string.Join(", ", names)}).");
            else if (!chain.Add(entry))
                failures.Add($"{Section}:Fallback lists '{entry}' twice: each provider appears once in the chain.");
        }

        for (var i = 0; i < options.Routing.Rules.Count; i++)
        {
            var rule = options.Routing.Rules[i];
            var key = $"{Section}:Routing:Rules:{i}";
            if (string.IsNullOrWhiteSpace(rule.Name))
                failures.Add($"{key}:Name is missing: the name labels the route in metrics and traces.");
            if (!names.Contains(rule.Provider))
                failures.Add($"{key}:Provider '{rule.Provider}' is not one of the configured providers ({string.Join(", ", names)}).");
            if (rule.MaxQuestionWords is <= 0 || rule.MaxPromptTokens is <= 0)
                failures.Add($"{key}: MaxQuestionWords and MaxPromptTokens must be positive when set.");
            foreach (var intent in rule.Intents.Where(i => i is not ("definition" or "changes" or "question" or "summary")))
                failures.Add($"{key}:Intents has '{intent}': use definition, changes, question or summary.");
        }

        RequirePositive(options.StreamIdleTimeout, $"{Section}:StreamIdleTimeout", failures);
        if (options.TenantRateLimit is { } tenantLimit)
            ValidateRateLimit(tenantLimit, $"{Section}:TenantRateLimit", failures);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateProvider(ChatProviderOptions provider, string key, List<string> failures)
    {
        RequirePositive(provider.Timeout, key + " Timeout", failures);
        if (provider.MaxRetries is < 0 or > 10)
            failures.Add($"{key} MaxRetries is {provider.MaxRetries}: use 0 to 10.");
        if (provider.RetryDelay < TimeSpan.Zero)
            failures.Add($"{key} RetryDelay is negative ({provider.RetryDelay}): use zero or a positive duration such as 00:00:01.");
        if (provider.MaxRetryDelay < provider.RetryDelay)
            failures.Add($"{key} MaxRetryDelay ({provider.MaxRetryDelay}) is shorter than RetryDelay ({provider.RetryDelay}).");

        var breaker = provider.CircuitBreaker;
        if (breaker.Enabled)
        {
            if (breaker.FailureRatio is <= 0 or > 1 || double.IsNaN(breaker.FailureRatio))
                failures.Add($"{key} CircuitBreaker:FailureRatio is {breaker.FailureRatio.ToString(CultureInfo.InvariantCulture)}: use a ratio above 0 and at most 1.");
            if (breaker.MinimumThroughput < 2)
                failures.Add($"{key} CircuitBreaker:MinimumThroughput is {breaker.MinimumThroughput}: use at least 2.");
            if (breaker.SamplingDuration < TimeSpan.FromMilliseconds(500))
                failures.Add($"{key} CircuitBreaker:SamplingDuration is {breaker.SamplingDuration}: use at least 00:00:00.5.");
            if (breaker.BreakDuration < TimeSpan.FromMilliseconds(500))
                failures.Add($"{key} CircuitBreaker:BreakDuration is {breaker.BreakDuration}: use at least 00:00:00.5.");
        }
        if (provider.RateLimit is { } limit)
            ValidateRateLimit(limit, key + " RateLimit", failures);
    }

    private static void ValidateRateLimit(ChatRateLimitOptions limit, string key, List<string> failures)
    {
        if (limit.RequestsPerMinute <= 0 || double.IsNaN(limit.RequestsPerMinute) || double.IsInfinity(limit.RequestsPerMinute))
            failures.Add($"{key}:RequestsPerMinute is {limit.RequestsPerMinute.ToString(CultureInfo.InvariantCulture)}: use a positive number, or remove the limit.");
        if (limit.Burst < 0)
            failures.Add($"{key}:Burst is {limit.Burst}: use 0 (one minute's worth) or a positive number.");
    }

    private static void RequirePositive(TimeSpan value, string key, List<string> failures)
    {
        if (value <= TimeSpan.Zero)
            failures.Add($"{key} is {value}: use a positive duration such as 00:00:30.");
    }
}
