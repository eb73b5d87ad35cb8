using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quarry.Documents;
using Quarry.Server.Hosting;

namespace Quarry.Cli.Hosting;

/// <summary>Options every command shares, and the composition of the engine from them.</summary>
internal static class CliContext
{
    public static readonly Option<DirectoryInfo?> Data = new("--data")
    {
        Description = "Data directory (default: $QUARRY_DATA, else ./quarry-data).",
        Recursive = true,
    };

    public static readonly Option<string> Tenant = new("--tenant")
    {
        Description = "Tenant to act as (the embedded default has one tenant, 'default'; 'keys' creates keys for it).",
        DefaultValueFactory = _ => TenantId.Default.Value,
        Recursive = true,
        Hidden = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Log progress details to stderr.",
        Recursive = true,
    };

    public static string ResolveDataDirectory(ParseResult result)
    {
        return QuarryEngine.ResolveDataDirectory(result.GetValue(Data)?.FullName);
    }

    public static TenantId ResolveTenant(ParseResult result) => new(result.GetValue(Tenant) ?? TenantId.Default.Value);

    /// <summary>Limits, tuning and models come from the environment, e.g. QUARRY_Parsing__MaxFileBytes=1000000.</summary>
    public static IConfiguration LoadConfiguration() => new ConfigurationBuilder().AddEnvironmentVariables(QuarryEngine.EnvironmentPrefix).AddQuarrySecretFiles().Build();

    /// <summary>Builds the engine on the embedded SQLite store in <paramref name="dataDirectory"/>, else the resolved data directory.</summary>
    public static ServiceProvider BuildServices(ParseResult result, string? dataDirectory = null)
    {
        dataDirectory ??= ResolveDataDirectory(result);
        var verbose = result.GetValue(Verbose);
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Warning);
            // stdout carries results (and JSON); diagnostics go to stderr.
            logging.AddSimpleConsole(o => o.SingleLine = true);
            logging.AddFilter("Microsoft", LogLevel.Warning);
            logging.AddFilter("Npgsql", LogLevel.Warning);
            logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        });
        // Limits and tuning come from the environment, e.g. QUARRY_Parsing__MaxFileBytes=1000000.
        var configuration = LoadConfiguration();
        services.AddQuarryEngine(configuration, dataDirectory, LocalModelCli.SelectedEmbeddings(result, configuration));
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        // Options are validated now, not on first use deep inside a command (there is no generic host to do it).
        try
        {
            provider.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is Microsoft.Extensions.Options.OptionsValidationException))
        {
            // Several options objects failed (e.g. the chat gateway and one of its providers): report every sentence,
            // not "One or more errors occurred".
            var failures = e.InnerExceptions.Cast<Microsoft.Extensions.Options.OptionsValidationException>().ToList();
            throw new Microsoft.Extensions.Options.OptionsValidationException(
                failures[0].OptionsName, failures[0].OptionsType, failures.SelectMany(f => f.Failures));
        }
        return provider;
    }
}
