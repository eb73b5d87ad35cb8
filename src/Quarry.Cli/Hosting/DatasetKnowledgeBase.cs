using Microsoft.Extensions.DependencyInjection;
using Quarry.Documents;
using Quarry.Ingestion;
using Quarry.Retrieval;
using Quarry.Storage;

namespace Quarry.Cli.Hosting;

/// <summary>An evaluation corpus (BEIR <c>corpus.jsonl</c>) ingested into its own knowledge base, reused when unchanged.</summary>
internal sealed record DatasetKnowledgeBase(string Name, KnowledgeBaseId Id, IngestReport Ingest)
{
    public static async Task<DatasetKnowledgeBase> EnsureAsync(IServiceProvider services, TenantId tenant, string name, string corpusPath, CancellationToken cancellationToken)
    {
        var corpus = await JsonLinesCorpus.ReadAsync(corpusPath, cancellationToken);
        await EnsureHiddenAsync(services.GetRequiredService<IDocumentStore>(), tenant, name, cancellationToken);
        var ingest = await services.GetRequiredService<DocumentIngestor>().IngestAsync(
            // Inline: the queries that follow need every vector, and the figures stay comparable with earlier runs.
            new IngestRequest(tenant, name, corpus.Sources, Rejected: corpus.Failures, Vectors: IngestionVectors.Inline), null, cancellationToken);
        var knowledgeBase = await services.GetRequiredService<IDocumentStore>().FindKnowledgeBaseAsync(tenant, name, cancellationToken)
            ?? throw new InvalidOperationException($"Knowledge base '{name}' was not created by ingestion.");
        return new DatasetKnowledgeBase(name, knowledgeBase.Id, ingest);
    }

    /// <summary>Evaluation corpora stay out of the UI's picker and /v1/models: created hidden, and the default-named ones
    /// (<c>eval-…</c>) of earlier runs hidden too. A knowledge base the user named otherwise is left as it is.</summary>
    private static async Task EnsureHiddenAsync(IDocumentStore store, TenantId tenant, string name, CancellationToken cancellationToken)
    {
        var existing = await store.FindKnowledgeBaseAsync(tenant, name, cancellationToken);
        if (existing is null)
        {
            try
            {
                await store.CreateKnowledgeBaseAsync(tenant, name, hidden: true, cancellationToken);
            }
            catch (StoreConflictException)
            {
                // Created meanwhile by another run: ingestion below uses it.
            }
        }
        else if (!existing.Hidden && name.StartsWith(DefaultPrefix, StringComparison.Ordinal))
        {
            await store.UpdateKnowledgeBaseAsync(tenant, existing.Id, new KnowledgeBaseChange(Hidden: true), cancellationToken);
        }
    }

    public const string DefaultPrefix = "eval-";

    public SearchFilter Filter(TenantId tenant) => new() { Tenant = tenant, KnowledgeBases = [Id] };

    /// <summary>The corpus id of a chunk: ingestion of JSONL records puts it in the source URI's fragment.</summary>
    public static string CorpusId(string sourceUri)
    {
        var hash = sourceUri.LastIndexOf('#');
        return hash < 0 ? sourceUri : Uri.UnescapeDataString(sourceUri[(hash + 1)..]);
    }
}
