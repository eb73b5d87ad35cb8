using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quarry.Chunking;
using Quarry.Documents;
using Quarry.Ingestion;
using Quarry.Parsing;
using Quarry.Retrieval;
using Quarry.Storage.Sqlite;

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
        Description = "Tenant to act as (the embedded default has one tenant, 'default').",
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
        var explicitDir = result.GetValue(Data);
        if (explicitDir is not null) return explicitDir.FullName;
        var env = Environment.GetEnvironmentVariable("QUARRY_DATA");
        return Path.GetFullPath(string.IsNullOrWhiteSpace(env) ? "quarry-data" : env);
    }

    public static TenantId ResolveTenant(ParseResult result) => new(result.GetValue(Tenant) ?? TenantId.Default.Value);

    /// <summary>Limits, tuning and models come from the environment, e.g. QUARRY_Parsing__MaxFileBytes=1000000.</summary>
    public static IConfiguration LoadConfiguration() => new ConfigurationBuilder().AddEnvironmentVariables("QUARRY_").Build();

    /// <summary>Builds the engine on the embedded SQLite store in the resolved data directory.</summary>
    public static ServiceProvider BuildServices(ParseResult result)
    {
        var dataDirectory = ResolveDataDirectory(result);
        var verbose = result.GetValue(Verbose);
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Warning);
            // stdout carries results (and JSON); diagnostics go to stderr.
            logging.AddSimpleConsole(o => o.SingleLine = true);
            logging.AddFilter("Microsoft", LogLevel.Warning);
            logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        });
        services.AddSingleton(TimeProvider.System);
        var configuration = LoadConfiguration();
        services.Configure<ParsingOptions>(configuration.GetSection(ParsingOptions.SectionName));
        services.Configure<ChunkingOptions>(configuration.GetSection(ChunkingOptions.SectionName));
        services.Configure<IngestionOptions>(configuration.GetSection(IngestionOptions.SectionName));
        services.Configure<RetrievalOptions>(configuration.GetSection(RetrievalOptions.SectionName));
        EmbeddingConfiguration.Add(services, configuration, LocalModelConfiguration.SelectedEmbeddings(result, configuration));
        LocalModelConfiguration.AddReranker(services, configuration);
        services.AddQuarryIngestion();
        services.AddQuarryRetrieval();
        services.AddQuarrySqliteStorage(o => o.DataDirectory = dataDirectory);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        // Options are validated now, not on first use deep inside a command (there is no generic host to do it).
        provider.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();
        return provider;
    }
}
