using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Quarry.Answering;
using Quarry.Chunking;
using Quarry.Citations;
using Quarry.Generation;
using Quarry.Ingestion;
using Quarry.Intents;
using Quarry.Models.Local.Hub;
using Quarry.Parsing;
using Quarry.Privacy;
using Quarry.Prompting;
using Quarry.Retrieval;
using Quarry.Spending;
using Quarry.Vectorizing;

namespace Quarry.Server.Hosting;

/// <summary>
/// The one composition of the engine (stages, options from configuration, the store) shared by every host: the CLI
/// commands and the server. Hosts add only what is theirs (console output, HTTP, workers).
/// </summary>
public static class QuarryEngine
{
    /// <summary>Environment variables with this prefix configure Quarry, e.g. <c>QUARRY_Parsing__MaxFileBytes</c>.</summary>
    public const string EnvironmentPrefix = "QUARRY_";

    /// <param name="localEmbeddings">A local embedding model chosen outside configuration (the CLI's --model-path).</param>
    public static IServiceCollection AddQuarryEngine(this IServiceCollection services, IConfiguration configuration, string dataDirectory,
        ModelReference? localEmbeddings = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        services.TryAddSingleton(TimeProvider.System);
        services.Configure<ParsingOptions>(configuration.GetSection(ParsingOptions.SectionName));
        services.Configure<ChunkingOptions>(configuration.GetSection(ChunkingOptions.SectionName));
        // Background unless configured: embedding costs far more than parsing and storing (minutes for a few thousand
        // chunks on a CPU), and a document searchable by keyword at once beats one that waits for its vectors. The
        // server's background stage or the CLI's ingest command fills them in.
        services.Configure<IngestionOptions>(o => o.Vectors = IngestionVectors.Background);
        services.Configure<IngestionOptions>(configuration.GetSection(IngestionOptions.SectionName));
        services.Configure<RetrievalOptions>(configuration.GetSection(RetrievalOptions.SectionName));
        services.Configure<AnsweringOptions>(configuration.GetSection(AnsweringOptions.SectionName));
        services.Configure<ExtractiveAnswererOptions>(configuration.GetSection(ExtractiveAnswererOptions.SectionName));
        services.Configure<PromptOptions>(configuration.GetSection(PromptOptions.SectionName));
        services.Configure<CitationOptions>(configuration.GetSection(CitationOptions.SectionName));
        services.Configure<Quarry.Conversations.ConversationOptions>(configuration.GetSection(Quarry.Conversations.ConversationOptions.SectionName));
        services.Configure<Quarry.QueryExpansion.MultiQueryOptions>(configuration.GetSection(Quarry.QueryExpansion.MultiQueryOptions.SectionName));
        EmbeddingConfiguration.Add(services, configuration, localEmbeddings ?? LocalModelConfiguration.SelectedEmbeddings(configuration));
        LocalModelConfiguration.AddReranker(services, configuration);
        // LLM gateway: only when Models:Chat:Providers are configured; offline (extractive answers) otherwise.
        ChatConfiguration.Add(services, configuration);
        services.AddQuarrySpending(configuration.GetSection(SpendingOptions.SectionName).Bind);
        services.AddQuarryPrivacy(dataDirectory, configuration.GetSection(PrivacyOptions.SectionName).Bind);
        services.AddQuarryIngestion();
        services.AddQuarryVectorizing(configuration.GetSection(VectorizingOptions.SectionName).Bind);
        services.AddQuarryRetrieval();
        services.AddQuarryAnswering();
        services.AddQuarryIntents(configuration.GetSection(IntentOptions.SectionName).Bind);
        // Storage:Provider: sqlite (default) or postgres.
        StorageConfiguration.Add(services, configuration, dataDirectory);
        CacheConfiguration.Add(services, configuration);
        return services;
    }

    /// <summary>Connects to the store and applies its migrations now, so that a database that cannot be reached fails
    /// here, once, rather than file by file deep inside a command.</summary>
    public static Task EnsureStoreReadyAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetRequiredService<StoreReadiness>().EnsureOnceAsync(cancellationToken);
    }

    /// <summary>The data directory: the explicit one, else <c>$QUARRY_DATA</c>, else <c>./quarry-data</c>.</summary>
    public static string ResolveDataDirectory(string? explicitDirectory)
    {
        if (!string.IsNullOrWhiteSpace(explicitDirectory)) return Path.GetFullPath(explicitDirectory);
        var env = Environment.GetEnvironmentVariable("QUARRY_DATA");
        return Path.GetFullPath(string.IsNullOrWhiteSpace(env) ? "quarry-data" : env);
    }
}
