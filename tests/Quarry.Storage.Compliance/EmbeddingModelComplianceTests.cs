using Quarry.Documents;
using Quarry.Embedding;
using Quarry.Indexing;
using static Quarry.Storage.Compliance.TestDocuments;

namespace Quarry.Storage.Compliance;

/// <summary>What every store must do for a knowledge base's active embedding model, re-embedding, and the change feed
/// that in-memory indexes of other processes follow.</summary>
public abstract class EmbeddingModelComplianceTests<TStore> : StoreComplianceBase<TStore>
    where TStore : class, IDocumentStore, IIndexChangeFeed
{
    private static readonly EmbeddingModel Old = new("model-old", 2);
    private static readonly EmbeddingModel New = new("model-new", 3);

    private static DocumentWrite Embedded(DocumentWrite write, EmbeddingModel model) => write with
    {
        Embeddings = new ChunkEmbeddings(model.Id, model.Dimension,
            write.Chunks.Select((_, i) => KeyValuePair.Create(new ChunkId("#" + i), new ReadOnlyMemory<float>([.. Enumerable.Repeat(i + 1f, model.Dimension)]))).ToList()),
    };

    private async Task<KnowledgeBase> KnowledgeBaseAsync(TenantId tenant, string name) => (await Store.FindKnowledgeBaseAsync(tenant, name, Ct))!;

    [Fact]
    public async Task Writes_set_the_active_model_once_and_mark_chunks_without_its_vectors()
    {
        var kb = await Store.CreateKnowledgeBaseAsync(TenantA, "kb", Ct);
        (await KnowledgeBaseAsync(TenantA, "kb")).EmbeddingModel.Should().BeNull();

        await Store.UpsertDocumentAsync(Embedded(Write(TenantA, kb.Id, "a.txt", "one", "two"), Old), Ct);
        (await KnowledgeBaseAsync(TenantA, "kb")).Should().Match<KnowledgeBase>(k => k.EmbeddingModel == Old && !k.EmbeddingsIncomplete);

        // Another model's vectors are stored, but do not take over the knowledge base.
        await Store.UpsertDocumentAsync(Embedded(Write(TenantA, kb.Id, "b.txt", "three"), New), Ct);
        (await KnowledgeBaseAsync(TenantA, "kb")).Should().Match<KnowledgeBase>(k => k.EmbeddingModel == Old && k.EmbeddingsIncomplete);
        var b = DocumentIdentity.ForSource(TenantA, kb.Id, "b.txt");
        (await Store.GetDocumentEmbeddingsAsync(TenantA, b, New.Id, Ct)).Should().ContainSingle().Which.Vector.Length.Should().Be(3);
        (await Store.GetDocumentEmbeddingsAsync(TenantA, b, Old.Id, Ct)).Should().BeEmpty();

        var plain = await Store.CreateKnowledgeBaseAsync(TenantA, "plain", Ct);
        await Store.UpsertDocumentAsync(Write(TenantA, plain.Id, "c.txt", "four"), Ct);
        await Store.UpsertDocumentAsync(Embedded(Write(TenantA, plain.Id, "d.txt", "five"), New), Ct);
        (await KnowledgeBaseAsync(TenantA, "plain")).Should().Match<KnowledgeBase>(k => k.EmbeddingModel == New && k.EmbeddingsIncomplete,
            "the first vectors make their model active, and the chunk stored before them has none");
    }

    [Fact]
    public async Task Re_embedding_pages_through_missing_chunks_and_switches_only_when_none_is_left()
    {
        var kb = await Store.CreateKnowledgeBaseAsync(TenantA, "kb", Ct);
        await Store.UpsertDocumentAsync(Embedded(Write(TenantA, kb.Id, "a.txt", "one", "two", "three"), Old), Ct);
        await Store.UpsertDocumentAsync(Embedded(Write(TenantA, kb.Id, "b.txt", "four", "five"), Old), Ct);
        var other = await Store.CreateKnowledgeBaseAsync(TenantA, "other", Ct);
        await Store.UpsertDocumentAsync(Embedded(Write(TenantA, other.Id, "c.txt", "six"), Old), Ct);
        var tenantB = await Store.CreateKnowledgeBaseAsync(TenantB, "kb", Ct);
        await Store.UpsertDocumentAsync(Embedded(Write(TenantB, tenantB.Id, "a.txt", "seven"), Old), Ct);

        (await Store.GetEmbeddingCoverageAsync(TenantA, kb.Id, New, Ct)).Should().Be(new EmbeddingCoverage(5, 0));
        var seen = new List<ChunkText>();
        long after = 0;
        for (var page = await Store.GetChunksWithoutEmbeddingAsync(TenantA, kb.Id, New, after, 2, Ct); page.Chunks.Count > 0;
             page = await Store.GetChunksWithoutEmbeddingAsync(TenantA, kb.Id, New, after, 2, Ct))
        {
            page.Chunks.Count.Should().BeLessThanOrEqualTo(2);
            seen.AddRange(page.Chunks);
            after = page.Next;
            if (seen.Count == 2)
            {
                (await Store.ActivateEmbeddingModelAsync(TenantA, kb.Id, New, Ct)).Should().Be(5, "nothing is embedded yet");
                await Store.StoreEmbeddingsAsync(TenantA, new ChunkEmbeddings(New.Id, New.Dimension,
                    seen.Select(c => KeyValuePair.Create(c.Id, new ReadOnlyMemory<float>([1f, 2f, 3f]))).ToList()), Ct);
            }
        }
        seen.Select(c => c.Text).Should().BeEquivalentTo(["one", "two", "three", "four", "five"]);
        (await Store.GetEmbeddingCoverageAsync(TenantA, kb.Id, New, Ct)).Should().Be(new EmbeddingCoverage(5, 2));
        (await Store.ActivateEmbeddingModelAsync(TenantA, kb.Id, New, Ct)).Should().Be(3);
        (await KnowledgeBaseAsync(TenantA, "kb")).EmbeddingModel.Should().Be(Old);

        var rest = await Store.GetChunksWithoutEmbeddingAsync(TenantA, kb.Id, New, 0, 100, Ct);
        rest.Chunks.Select(c => (c.Text, c.Title)).Should().BeEquivalentTo([("three", "a"), ("four", "b"), ("five", "b")],
            "re-embedding embeds the title with the text, as ingestion does");
        await Store.StoreEmbeddingsAsync(TenantA, new ChunkEmbeddings(New.Id, New.Dimension,
            rest.Chunks.Select(c => KeyValuePair.Create(c.Id, new ReadOnlyMemory<float>([1f, 2f, 3f]))).ToList()), Ct);
        (await Store.ActivateEmbeddingModelAsync(TenantA, kb.Id, New, Ct)).Should().Be(0);
        (await KnowledgeBaseAsync(TenantA, "kb")).Should().Match<KnowledgeBase>(k => k.EmbeddingModel == New && !k.EmbeddingsIncomplete);

        (await Store.DeleteInactiveEmbeddingsAsync(TenantA, kb.Id, Ct)).Should().Be(5);
        (await Store.GetEmbeddingCoverageAsync(TenantA, kb.Id, Old, Ct)).Embedded.Should().Be(0);
        (await Store.GetEmbeddingCoverageAsync(TenantA, kb.Id, New, Ct)).Embedded.Should().Be(5);
        // Other knowledge bases and tenants keep theirs.
        (await Store.GetEmbeddingCoverageAsync(TenantA, other.Id, Old, Ct)).Embedded.Should().Be(1);
        (await Store.GetEmbeddingCoverageAsync(TenantB, tenantB.Id, Old, Ct)).Embedded.Should().Be(1);
        (await KnowledgeBaseAsync(TenantB, "kb")).EmbeddingModel.Should().Be(Old);
    }

    [Fact]
    public async Task The_change_feed_names_every_document_written_in_commit_order()
    {
        var start = await Store.GetHeadAsync(Ct);
        var kb = await Store.CreateKnowledgeBaseAsync(TenantA, "kb", Ct);
        var a = (await Store.UpsertDocumentAsync(Write(TenantA, kb.Id, "a.txt", "one"), Ct)).DocumentId;
        var b = (await Store.UpsertDocumentAsync(Write(TenantA, kb.Id, "b.txt", "two"), Ct)).DocumentId;
        await Store.UpsertDocumentAsync(Write(TenantA, kb.Id, "a.txt", "one"), Ct);
        var chunk = (await Store.GetChunksAsync(TenantA, b, Ct))[0].Id;
        await Store.StoreEmbeddingsAsync(TenantA, new ChunkEmbeddings(New.Id, New.Dimension, [KeyValuePair.Create(chunk, new ReadOnlyMemory<float>([1f, 2f, 3f]))]), Ct);
        await Store.DeleteDocumentAsync(TenantA, a, Ct);

        var page = await Store.ReadChangesAsync(start, 100, Ct);

        page.Truncated.Should().BeFalse();
        // The unchanged re-ingest of a.txt wrote nothing.
        page.Changes.Select(c => c.DocumentId).Should().Equal(a, b, b, a);
        page.Changes.Select(c => c.Sequence).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        page.Changes.Should().OnlyContain(c => c.TenantId == TenantA);
        page.Head.Should().Be(page.Changes[^1].Sequence).And.Be(await Store.GetHeadAsync(Ct));
        (await Store.ReadChangesAsync(page.Changes[1].Sequence, 1, Ct)).Changes.Should().ContainSingle().Which.Should().Be(page.Changes[2]);
        (await Store.ReadChangesAsync(page.Head, 100, Ct)).Changes.Should().BeEmpty();
        (await Store.ReadChangesAsync(page.Head + 10, 100, Ct)).Truncated.Should().BeTrue("a position the store never reached means another store");
    }

    [Fact]
    public async Task Vectors_filled_after_storing_make_a_fresh_model_searchable_at_once_and_never_take_over_another()
    {
        var fresh = await Store.CreateKnowledgeBaseAsync(TenantA, "fresh", Ct);
        await Store.UpsertDocumentAsync(Write(TenantA, fresh.Id, "a.txt", "one", "two"), Ct);
        await Store.UpsertDocumentAsync(Write(TenantA, fresh.Id, "b.txt", "three"), Ct);
        var onOld = await Store.CreateKnowledgeBaseAsync(TenantA, "old", Ct);
        await Store.UpsertDocumentAsync(Embedded(Write(TenantA, onOld.Id, "c.txt", "four"), Old), Ct);
        await Store.UpsertDocumentAsync(Write(TenantA, onOld.Id, "d.txt", "five"), Ct);
        await Store.CreateKnowledgeBaseAsync(TenantB, "empty", Ct);

        (await Store.ListKnowledgeBasesMissingVectorsAsync(New, Ct)).Select(k => k.Name).Should().Equal(["fresh"]);
        (await Store.ListKnowledgeBasesMissingVectorsAsync(Old, Ct)).Select(k => k.Name).Should().BeEquivalentTo(["fresh", "old"]);

        ChunkEmbeddings Vectors(IEnumerable<ChunkText> chunks) =>
            new(New.Id, New.Dimension, chunks.Select(c => KeyValuePair.Create(c.Id, new ReadOnlyMemory<float>([1f, 2f, 3f]))).ToList());
        var first = await Store.GetChunksWithoutEmbeddingAsync(TenantA, fresh.Id, New, 0, 2, Ct);
        await Store.StoreEmbeddingsAsync(TenantA, Vectors(first.Chunks), Ct);
        (await Store.AdoptEmbeddingModelAsync(TenantA, fresh.Id, New, Ct)).Should().Be(1);
        (await KnowledgeBaseAsync(TenantA, "fresh")).Should().Match<KnowledgeBase>(k => k.EmbeddingModel == New && k.EmbeddingsIncomplete);
        (await Store.ListKnowledgeBasesMissingVectorsAsync(New, Ct)).Select(k => k.Name).Should().Equal(["fresh"]);

        var rest = await Store.GetChunksWithoutEmbeddingAsync(TenantA, fresh.Id, New, first.Next, 10, Ct);
        await Store.StoreEmbeddingsAsync(TenantA, Vectors(rest.Chunks), Ct);
        // A second worker storing the same vectors again (two replicas on one gap) changes nothing.
        await Store.StoreEmbeddingsAsync(TenantA, Vectors(first.Chunks), Ct);
        (await Store.AdoptEmbeddingModelAsync(TenantA, fresh.Id, New, Ct)).Should().Be(0);
        (await KnowledgeBaseAsync(TenantA, "fresh")).Should().Match<KnowledgeBase>(k => k.EmbeddingModel == New && !k.EmbeddingsIncomplete);
        (await Store.GetEmbeddingCoverageAsync(TenantA, fresh.Id, New, Ct)).Should().Be(new EmbeddingCoverage(3, 3));
        (await Store.ListKnowledgeBasesMissingVectorsAsync(New, Ct)).Should().BeEmpty();

        (await Store.AdoptEmbeddingModelAsync(TenantA, onOld.Id, New, Ct)).Should().BeNull("another model stays until a re-embedding switches it");
        (await KnowledgeBaseAsync(TenantA, "old")).EmbeddingModel.Should().Be(Old);
    }
}
