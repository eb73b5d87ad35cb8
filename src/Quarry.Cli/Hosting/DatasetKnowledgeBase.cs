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
        var ingest = await services.GetRequiredService<DocumentIngestor>().IngestAsync(
            new IngestRequest(tenant, name, corpus.Sources, Rejected: corpus.Failures), null, cancellationToken);
        var knowledgeBase = await services.GetRequiredService<IDocumentStore>().FindKnowledgeBaseAsync(tenant, name, cancellationToken)
            ?? throw new InvalidOperationException($"Knowledge base '{name}' was not created by ingestion.");
        return new DatasetKnowledgeBase(name, knowledgeBase.Id, ingest);
    }

    public SearchFilter Filter(TenantId tenant) => new() { Tenant = tenant, KnowledgeBases = [Id] };

    /// <summary>The corpus id of a chunk: ingestion of JSONL records puts it in the source URI's fragment.</summary>
    public static string CorpusId(string sourceUri)
    {
        var hash = sourceUri.LastIndexOf('#');
        return hash < 0 ? sourceUri : Uri.UnescapeDataString(sourceUri[(hash + 1)..]);
    }
}
