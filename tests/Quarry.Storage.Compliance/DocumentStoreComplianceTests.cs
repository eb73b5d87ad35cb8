using Quarry.Documents;
using Quarry.Indexing;
using Quarry.Retrieval;
using static Quarry.Storage.Compliance.TestDocuments;

namespace Quarry.Storage.Compliance;

/// <summary>What every <see cref="IDocumentStore"/> must do. The store must also answer keyword searches, so that
/// replacing and deleting can be checked against the index readers actually use.</summary>
public abstract partial class DocumentStoreComplianceTests<TStore> : StoreComplianceBase<TStore>
    where TStore : class, IDocumentStore, IKeywordIndex
{
    private Task<IReadOnlyList<KeywordHit>> SearchAsync(TenantId tenant, string query, int limit = 20) =>
        Store.SearchAsync(new KeywordSearchRequest(query, SearchFilter.ForTenant(tenant), limit), Ct);

    [Fact]
    public async Task Knowledge_bases_are_created_found_listed_and_deleted()
    {
        var manuals = await Store.CreateKnowledgeBaseAsync(TenantA, "manuals", Ct);
        var faq = await Store.CreateKnowledgeBaseAsync(TenantA, "faq", Ct);

        manuals.Name.Should().Be("manuals");
        manuals.TenantId.Should().Be(TenantA);
        manuals.Id.Should().NotBe(faq.Id);
        (await Store.FindKnowledgeBaseAsync(TenantA, "manuals", Ct))!.Id.Should().Be(manuals.Id);
        (await Store.FindKnowledgeBaseAsync(TenantA, "missing", Ct)).Should().BeNull();
        (await Store.ListKnowledgeBasesAsync(TenantA, Ct)).Select(k => k.Name).Should().BeEquivalentTo(["manuals", "faq"]);

        await Store.UpsertDocumentAsync(Write(TenantA, manuals.Id, "a.txt", "alpha"), Ct);
        (await Store.FindKnowledgeBaseAsync(TenantA, "manuals", Ct))!.DocumentCount.Should().Be(1);

        (await Store.DeleteKnowledgeBaseAsync(TenantA, manuals.Id, Ct)).Should().BeTrue();
        (await Store.DeleteKnowledgeBaseAsync(TenantA, manuals.Id, Ct)).Should().BeFalse();
        (await Store.ListKnowledgeBasesAsync(TenantA, Ct)).Select(k => k.Name).Should().Equal("faq");
    }

    [Fact]
    public async Task Knowledge_base_names_are_unique_per_tenant()
    {
        await Store.CreateKnowledgeBaseAsync(TenantA, "manuals", Ct);

        var duplicate = () => Store.CreateKnowledgeBaseAsync(TenantA, "manuals", Ct);
        await duplicate.Should().ThrowAsync<StoreConflictException>();

        var otherTenant = await Store.CreateKnowledgeBaseAsync(TenantB, "manuals", Ct);
        otherTenant.TenantId.Should().Be(TenantB);
    }

    [Fact]
    public async Task Upsert_creates_then_skips_unchanged_then_replaces()
    {
        var kb = await Store.CreateKnowledgeBaseAsync(TenantA, "kb", Ct);
        var first = Write(TenantA, kb.Id, "docs/guide.md", "the gearbox needs oil every spring", "tyres are checked monthly");

        var created = await Store.UpsertDocumentAsync(first, Ct);
        created.Should().Be(new UpsertResult(first.DocumentId, UpsertOutcome.Created, 1, 2));
        var chunksV1 = await Store.GetChunksAsync(TenantA, first.DocumentId, Ct);
        chunksV1.Select(c => c.Id).Should().Equal(DocumentIdentity.ForChunk(first.DocumentId, 1, 0), DocumentIdentity.ForChunk(first.DocumentId, 1, 1));
        (await Store.GetChecksumAsync(TenantA, first.DocumentId, Ct)).Should().Be(first.Checksum);

        Clock.Advance(TimeSpan.FromMinutes(1));
        var unchanged = await Store.UpsertDocumentAsync(first, Ct);
        unchanged.Should().Be(new UpsertResult(first.DocumentId, UpsertOutcome.Unchanged, 1, 2));
        (await Store.GetChunksAsync(TenantA, first.DocumentId, Ct)).Should().BeEquivalentTo(chunksV1, o => o.WithStrictOrdering());
        (await Store.GetVersionsAsync(TenantA, first.DocumentId, Ct)).Should().ContainSingle();

        Clock.Advance(TimeSpan.FromMinutes(1));
        var second = Write(TenantA, kb.Id, "docs/guide.md", "the clutch plate wears out", "brakes squeal when wet", "lights");
        var replaced = await Store.UpsertDocumentAsync(second, Ct);
        replaced.Should().Be(new UpsertResult(first.DocumentId, UpsertOutcome.Replaced, 2, 3));

        var chunksV2 = await Store.GetChunksAsync(TenantA, first.DocumentId, Ct);
        chunksV2.Select(c => c.Version).Should().AllBeEquivalentTo(2);
        chunksV2.Select(c => c.Text).Should().Equal(second.Chunks.Select(c => c.Text));
        chunksV2.Select(c => c.Id).Should().NotIntersectWith(chunksV1.Select(c => c.Id));
        (await Store.GetChunksByIdAsync(TenantA, chunksV1.Select(c => c.Id).ToList(), Ct)).Should().BeEmpty();

        (await SearchAsync(TenantA, "gearbox")).Should().BeEmpty();
        var hits = await SearchAsync(TenantA, "clutch");
        hits.Should().ContainSingle().Which.ChunkId.Should().Be(DocumentIdentity.ForChunk(first.DocumentId, 2, 0));

        var record = await Store.GetDocumentAsync(TenantA, first.DocumentId, Ct);
        record!.Version.Should().Be(2);
        record.ChunkCount.Should().Be(3);
        record.Checksum.Should().Be(second.Checksum);
        record.UpdatedAt.Should().BeAfter(record.CreatedAt);
        (await Store.GetDocumentTextAsync(TenantA, first.DocumentId, Ct)).Should().Be(second.NormalizedText);
        (await Store.GetVersionsAsync(TenantA, first.DocumentId, Ct)).Select(v => (v.Version, v.Checksum, v.ChunkCount))
            .Should().Equal((1, first.Checksum, 2), (2, second.Checksum, 3));
    }

    [Fact]
    public async Task Chunks_round_trip_every_field()
    {
        var kb = await Store.CreateKnowledgeBaseAsync(TenantA, "kb", Ct);
        var write = Write(TenantA, kb.Id, "files/report.pdf", "| a | b |\n| 1 | 2 |") with
        {
            Language = "en",
            Tags = Tags(("team", "ops"), ("year", "2024")),
        };
        write = write with
        {
            Chunks = [write.Chunks[0] with { HeaderPrefixLength = 4, PageStart = 2, PageEnd = 3, Section = ["Ünïcode", "Tables"] }],
        };

        await Store.UpsertDocumentAsync(write, Ct);

        var chunk = (await Store.GetChunksAsync(TenantA, write.DocumentId, Ct)).Should().ContainSingle().Subject;
        chunk.TenantId.Should().Be(TenantA);
        chunk.KnowledgeBaseId.Should().Be(kb.Id);
        chunk.DocumentId.Should().Be(write.DocumentId);
        chunk.Ordinal.Should().Be(0);
        chunk.Text.Should().Be(write.Chunks[0].Text);
        chunk.HeaderPrefixLength.Should().Be(4);
        chunk.Title.Should().Be("report");
        chunk.Section.Should().Equal("Ünïcode", "Tables");
        chunk.SourceUri.Should().Be("files/report.pdf");
        chunk.Language.Should().Be("en");
        chunk.Tags.Should().BeEquivalentTo(write.Tags);
        chunk.TokenCount.Should().Be(write.Chunks[0].TokenCount);
        chunk.Checksum.Should().Be(write.Chunks[0].Checksum);
        chunk.Span.Should().Be(write.Chunks[0].Span);
        chunk.PageStart.Should().Be(2);
        chunk.PageEnd.Should().Be(3);
        (await Store.GetChunksByIdAsync(TenantA, [chunk.Id], Ct)).Should().BeEquivalentTo([chunk]);

        var record = await Store.GetDocumentAsync(TenantA, write.DocumentId, Ct);
        record!.Tags.Should().BeEquivalentTo(write.Tags);
        record.Language.Should().Be("en");
        record.SizeBytes.Should().Be(write.SizeBytes);
        record.ContentType.Should().Be("text/plain");
    }

    [Fact]
    public async Task Upsert_requires_a_knowledge_base_of_the_same_tenant()
    {
        var kbOfB = await Store.CreateKnowledgeBaseAsync(TenantB, "kb", Ct);

        var intoOtherTenant = () => Store.UpsertDocumentAsync(Write(TenantA, kbOfB.Id, "a.txt", "alpha"), Ct);
        var intoMissing = () => Store.UpsertDocumentAsync(Write(TenantA, new KnowledgeBaseId("kb_missing"), "a.txt", "alpha"), Ct);

        await intoOtherTenant.Should().ThrowAsync<Exception>().WithMessage("*kb*");
        await intoMissing.Should().ThrowAsync<Exception>().WithMessage("*kb_missing*");
        (await Store.ListDocumentsAsync(new DocumentListQuery { Tenant = TenantA }, Ct)).Total.Should().Be(0);
        (await Store.ListDocumentsAsync(new DocumentListQuery { Tenant = TenantB }, Ct)).Total.Should().Be(0);
    }

    [Fact]
    public async Task Delete_removes_document_chunks_keyword_entries_and_embeddings()
    {
        var kb = await Store.CreateKnowledgeBaseAsync(TenantA, "kb", Ct);
        var write = Write(TenantA, kb.Id, "a.txt", "zeppelin hangar", "zeppelin mooring") with
        {
            Embeddings = OrdinalEmbeddings("m", [1f, 0f], [0f, 1f]),
        };
        var keep = Write(TenantA, kb.Id, "b.txt", "zeppelin museum") with { Embeddings = OrdinalEmbeddings("m", [0.5f, 0.5f]) };
        await Store.UpsertDocumentAsync(write, Ct);
        await Store.UpsertDocumentAsync(keep, Ct);
        var chunkIds = (await Store.GetChunksAsync(TenantA, write.DocumentId, Ct)).Select(c => c.Id).ToList();

        (await Store.DeleteDocumentAsync(TenantA, write.DocumentId, Ct)).Should().BeTrue();

        (await Store.GetDocumentAsync(TenantA, write.DocumentId, Ct)).Should().BeNull();
        (await Store.GetChecksumAsync(TenantA, write.DocumentId, Ct)).Should().BeNull();
        (await Store.GetDocumentTextAsync(TenantA, write.DocumentId, Ct)).Should().BeNull();
        (await Store.GetVersionsAsync(TenantA, write.DocumentId, Ct)).Should().BeEmpty();
        (await Store.GetChunksAsync(TenantA, write.DocumentId, Ct)).Should().BeEmpty();
        (await Store.GetChunksByIdAsync(TenantA, chunkIds, Ct)).Should().BeEmpty();
        (await SearchAsync(TenantA, "zeppelin")).Select(h => h.DocumentId).Should().Equal(keep.DocumentId);
        var embeddings = await ReadAllEmbeddingsAsync("m");
        embeddings.Select(e => e.DocumentId).Should().Equal(keep.DocumentId);
        (await Store.DeleteDocumentAsync(TenantA, write.DocumentId, Ct)).Should().BeFalse();
    }

    [Fact]
    public async Task Deleting_a_knowledge_base_removes_its_documents_everywhere()
    {
        var gone = await Store.CreateKnowledgeBaseAsync(TenantA, "gone", Ct);
        var kept = await Store.CreateKnowledgeBaseAsync(TenantA, "kept", Ct);
        var doomed = Write(TenantA, gone.Id, "a.txt", "walrus colony") with { Embeddings = OrdinalEmbeddings("m", [1f]) };
        await Store.UpsertDocumentAsync(doomed, Ct);
        await Store.UpsertDocumentAsync(Write(TenantA, kept.Id, "a.txt", "walrus tusks") with { Embeddings = OrdinalEmbeddings("m", [2f]) }, Ct);

        await Store.DeleteKnowledgeBaseAsync(TenantA, gone.Id, Ct);

        (await Store.GetDocumentAsync(TenantA, doomed.DocumentId, Ct)).Should().BeNull();
        (await Store.ListDocumentsAsync(new DocumentListQuery { Tenant = TenantA }, Ct)).Items.Select(d => d.KnowledgeBaseId).Should().Equal(kept.Id);
        (await SearchAsync(TenantA, "walrus")).Should().ContainSingle();
        (await ReadAllEmbeddingsAsync("m")).Should().ContainSingle().Which.KnowledgeBaseId.Should().Be(kept.Id);
    }

    [Fact]
    public async Task Embeddings_round_trip_bit_exactly()
    {
        var kb = await Store.CreateKnowledgeBaseAsync(TenantA, "kb", Ct);
        float[] special = [float.Epsilon, -0f, float.MaxValue, float.MinValue, 1e-38f, 0.1f, float.NaN, -1.5f];
        float[] other = [.. Enumerable.Range(0, 8).Select(i => MathF.Sqrt(i) / 3f)];
        var write = Write(TenantA, kb.Id, "a.txt", "one", "two") with { Embeddings = OrdinalEmbeddings("model-x", special, other) };
        await Store.UpsertDocumentAsync(write, Ct);
        var ids = (await Store.GetChunksAsync(TenantA, write.DocumentId, Ct)).Select(c => c.Id).ToList();

        var stored = await ReadAllEmbeddingsAsync("model-x");
        stored.Should().HaveCount(2);
        Bits(stored.Single(e => e.ChunkId == ids[0]).Vector).Should().Equal(Bits(special));
        Bits(stored.Single(e => e.ChunkId == ids[1]).Vector).Should().Equal(Bits(other));
        stored.Should().OnlyContain(e => e.TenantId == TenantA && e.KnowledgeBaseId == kb.Id && e.DocumentId == write.DocumentId);
        (await ReadAllEmbeddingsAsync("other-model")).Should().BeEmpty();

        // Stored later, by chunk id: overwrites one model's vector, adds another model, ignores unknown chunks.
        float[] replacement = [.. other.Select(v => -v)];
        await Store.StoreEmbeddingsAsync(TenantA, new ChunkEmbeddings("model-x", 8,
            [KeyValuePair.Create(ids[1], new ReadOnlyMemory<float>(replacement)),
             KeyValuePair.Create(new ChunkId("doc_nope_v1_c0"), new ReadOnlyMemory<float>(replacement))]), Ct);
        await Store.StoreEmbeddingsAsync(TenantA, new ChunkEmbeddings("model-y", 2,
            [KeyValuePair.Create(ids[0], new ReadOnlyMemory<float>([3f, 4f]))]), Ct);
        // Another tenant cannot attach vectors to these chunks.
        await Store.StoreEmbeddingsAsync(TenantB, new ChunkEmbeddings("model-z", 1,
            [KeyValuePair.Create(ids[0], new ReadOnlyMemory<float>([9f]))]), Ct);

        Bits((await ReadAllEmbeddingsAsync("model-x")).Single(e => e.ChunkId == ids[1]).Vector).Should().Equal(Bits(replacement));
        (await ReadAllEmbeddingsAsync("model-y")).Should().ContainSingle().Which.Vector.ToArray().Should().Equal(3f, 4f);
        (await ReadAllEmbeddingsAsync("model-z")).Should().BeEmpty();

        // A replace drops the previous version's vectors with its chunks.
        await Store.UpsertDocumentAsync(Write(TenantA, kb.Id, "a.txt", "three"), Ct);
        (await ReadAllEmbeddingsAsync("model-x")).Should().BeEmpty();
        (await ReadAllEmbeddingsAsync("model-y")).Should().BeEmpty();
    }

    [Fact]
    public async Task Listing_pages_and_filters_by_knowledge_base_tags_and_source_prefix()
    {
        var kb = await Store.CreateKnowledgeBaseAsync(TenantA, "kb", Ct);
        var other = await Store.CreateKnowledgeBaseAsync(TenantA, "other", Ct);
        for (var i = 0; i < 5; i++)
        {
            await Store.UpsertDocumentAsync(Write(TenantA, kb.Id, $"hr/policy-{i}.md", $"policy {i}") with
            {
                Tags = Tags(("dept", "hr"), ("level", i % 2 == 0 ? "public" : "internal")),
            }, Ct);
        }
        await Store.UpsertDocumentAsync(Write(TenantA, kb.Id, "hr_archive/old.md", "old") with { Tags = Tags(("dept", "hr")) }, Ct);
        await Store.UpsertDocumentAsync(Write(TenantA, other.Id, "hr/elsewhere.md", "x"), Ct);

        var all = await Store.ListDocumentsAsync(new DocumentListQuery { Tenant = TenantA }, Ct);
        all.Total.Should().Be(7);

        var pages = new List<DocumentRecord>();
        for (var offset = 0; offset < 6; offset += 2)
        {
            var page = await Store.ListDocumentsAsync(new DocumentListQuery { Tenant = TenantA, KnowledgeBase = kb.Id, Offset = offset, Limit = 2 }, Ct);
            page.Total.Should().Be(6);
            page.Items.Should().HaveCountLessThanOrEqualTo(2);
            pages.AddRange(page.Items);
        }
        pages.Select(d => d.Id).Should().OnlyHaveUniqueItems().And.HaveCount(6);

        var prefixed = await Store.ListDocumentsAsync(new DocumentListQuery { Tenant = TenantA, SourcePrefix = "hr/" }, Ct);
        prefixed.Items.Select(d => d.SourceUri).Should().OnlyContain(s => s.StartsWith("hr/", StringComparison.Ordinal)).And.HaveCount(6);
        // '_' is not a wildcard.
        (await Store.ListDocumentsAsync(new DocumentListQuery { Tenant = TenantA, SourcePrefix = "hr_" }, Ct)).Total.Should().Be(1);

        // A search box: title or source contains the text, ignoring case, and '_' is text there too.
        (await Store.ListDocumentsAsync(new DocumentListQuery { Tenant = TenantA, KnowledgeBase = kb.Id, Contains = "POLICY-3" }, Ct))
            .Items.Select(d => d.SourceUri).Should().Equal("hr/policy-3.md");
        (await Store.ListDocumentsAsync(new DocumentListQuery { Tenant = TenantA, Contains = "R_A" }, Ct)).Items.Select(d => d.SourceUri).Should().Equal("hr_archive/old.md");

        var tagged = await Store.ListDocumentsAsync(new DocumentListQuery
        {
            Tenant = TenantA,
            Tags = Tags(("dept", "hr"), ("level", "public")),
        }, Ct);
        tagged.Items.Select(d => d.SourceUri).Should().BeEquivalentTo(["hr/policy-0.md", "hr/policy-2.md", "hr/policy-4.md"]);
        tagged.Total.Should().Be(3);
    }

    [Fact]
    public async Task Another_tenant_cannot_see_list_search_or_delete_documents()
    {
        var kb = await Store.CreateKnowledgeBaseAsync(TenantA, "kb", Ct);
        await Store.CreateKnowledgeBaseAsync(TenantB, "kb", Ct);
        var secret = Write(TenantA, kb.Id, "secret.txt", "launch codes are kept in the vault") with
        {
            Embeddings = OrdinalEmbeddings("m", [1f, 2f]),
        };
        await Store.UpsertDocumentAsync(secret, Ct);
        var chunkIds = (await Store.GetChunksAsync(TenantA, secret.DocumentId, Ct)).Select(c => c.Id).ToList();

        (await Store.ListKnowledgeBasesAsync(TenantB, Ct)).Should().OnlyContain(k => k.TenantId == TenantB);
        (await Store.GetDocumentAsync(TenantB, secret.DocumentId, Ct)).Should().BeNull();
        (await Store.GetChecksumAsync(TenantB, secret.DocumentId, Ct)).Should().BeNull();
        (await Store.GetDocumentTextAsync(TenantB, secret.DocumentId, Ct)).Should().BeNull();
        (await Store.GetVersionsAsync(TenantB, secret.DocumentId, Ct)).Should().BeEmpty();
        (await Store.GetChunksAsync(TenantB, secret.DocumentId, Ct)).Should().BeEmpty();
        (await Store.GetChunksByIdAsync(TenantB, chunkIds, Ct)).Should().BeEmpty();
        (await Store.ListDocumentsAsync(new DocumentListQuery { Tenant = TenantB }, Ct)).Total.Should().Be(0);
        (await SearchAsync(TenantB, "launch codes vault")).Should().BeEmpty();
        var crossTenantFilter = new SearchFilter { Tenant = TenantB, KnowledgeBases = [kb.Id], Documents = [secret.DocumentId] };
        (await Store.SearchAsync(new KeywordSearchRequest("launch", crossTenantFilter, 10), Ct)).Should().BeEmpty();
        (await Store.DeleteDocumentAsync(TenantB, secret.DocumentId, Ct)).Should().BeFalse();
        (await Store.DeleteKnowledgeBaseAsync(TenantB, kb.Id, Ct)).Should().BeFalse();

        (await Store.GetDocumentAsync(TenantA, secret.DocumentId, Ct)).Should().NotBeNull();
        (await SearchAsync(TenantA, "launch")).Should().ContainSingle();
        (await ReadAllEmbeddingsAsync("m")).Should().ContainSingle().Which.TenantId.Should().Be(TenantA);
    }

    [Fact]
    public async Task Parallel_writers_of_different_documents_all_land()
    {
        var kb = await Store.CreateKnowledgeBaseAsync(TenantA, "kb", Ct);
        var writes = Enumerable.Range(0, 8)
            .Select(i => Write(TenantA, kb.Id, $"doc-{i}.txt", $"parallel document number{i}", $"second chunk of {i}"))
            .ToList();

        var results = await Task.WhenAll(writes.Select(w => Task.Run(() => Store.UpsertDocumentAsync(w, Ct))));

        results.Should().OnlyContain(r => r.Outcome == UpsertOutcome.Created && r.Version == 1);
        (await Store.ListDocumentsAsync(new DocumentListQuery { Tenant = TenantA }, Ct)).Total.Should().Be(8);
        foreach (var write in writes)
            (await Store.GetChunksAsync(TenantA, write.DocumentId, Ct)).Should().HaveCount(2);
        (await SearchAsync(TenantA, "parallel")).Should().HaveCount(8);
    }

    [Fact]
    public async Task Concurrent_replaces_of_one_document_end_in_one_consistent_version()
    {
        var kb = await Store.CreateKnowledgeBaseAsync(TenantA, "kb", Ct);
        var writes = Enumerable.Range(0, 6)
            .Select(i => Write(TenantA, kb.Id, "shared.txt", [.. Enumerable.Range(0, i + 1).Select(j => $"writer{i} chunk{j}")]))
            .ToList();

        var results = await Task.WhenAll(writes.Select(w => Task.Run(() => Store.UpsertDocumentAsync(w, Ct))));

        results.Count(r => r.Outcome == UpsertOutcome.Created).Should().Be(1);
        results.Select(r => r.Version).Should().OnlyHaveUniqueItems();
        var record = await Store.GetDocumentAsync(TenantA, writes[0].DocumentId, Ct);
        record!.Version.Should().Be(6);
        var winner = writes.Single(w => w.Checksum == record.Checksum);
        var chunks = await Store.GetChunksAsync(TenantA, record.Id, Ct);
        chunks.Should().OnlyContain(c => c.Version == record.Version);
        chunks.Select(c => c.Text).Should().Equal(winner.Chunks.Select(c => c.Text));
        record.ChunkCount.Should().Be(chunks.Count);
        (await Store.GetDocumentTextAsync(TenantA, record.Id, Ct)).Should().Be(winner.NormalizedText);
        (await SearchAsync(TenantA, "chunk0", limit: 50)).Should().ContainSingle()
            .Which.ChunkId.Should().Be(DocumentIdentity.ForChunk(record.Id, record.Version, 0));
    }

    [Fact]
    public async Task A_reader_never_sees_chunks_of_two_versions_at_once()
    {
        var kb = await Store.CreateKnowledgeBaseAsync(TenantA, "kb", Ct);
        var id = Write(TenantA, kb.Id, "live.txt", "x").DocumentId;
        await Store.UpsertDocumentAsync(Write(TenantA, kb.Id, "live.txt", "v0 a", "v0 b", "v0 c"), Ct);

        using var done = new CancellationTokenSource();
        var observations = 0;
        var reader = Task.Run(async () =>
        {
            do
            {
                var chunks = await Store.GetChunksAsync(TenantA, id, Ct);
                chunks.Should().NotBeEmpty("a replace never exposes a document without chunks");
                chunks.Select(c => c.Version).Distinct().Should().ContainSingle("chunks {0} mix versions", string.Join(", ", chunks.Select(c => c.Id)));
                chunks.Select(c => c.Ordinal).Should().Equal(Enumerable.Range(0, chunks.Count));
                var prefix = chunks[0].Text.Split(' ')[0];
                chunks.Should().OnlyContain(c => c.Text.StartsWith(prefix + " ", StringComparison.Ordinal));
                Interlocked.Increment(ref observations);
            }
            while (!done.IsCancellationRequested);
        });

        for (var v = 1; v <= 30; v++)
        {
            var texts = Enumerable.Range(0, 1 + (v % 4)).Select(j => $"v{v} part{j}").ToArray();
            await Store.UpsertDocumentAsync(Write(TenantA, kb.Id, "live.txt", texts), Ct);
        }
        await done.CancelAsync();
        await reader;

        observations.Should().BePositive();
        (await Store.GetDocumentAsync(TenantA, id, Ct))!.Version.Should().Be(31);
    }

    protected async Task<List<StoredEmbedding>> ReadAllEmbeddingsAsync(string model)
    {
        var result = new List<StoredEmbedding>();
        await foreach (var embedding in Store.ReadEmbeddingsAsync(model, Ct))
            result.Add(embedding);
        return result;
    }

    private static int[] Bits(ReadOnlyMemory<float> vector) => [.. vector.ToArray().Select(BitConverter.SingleToInt32Bits)];
}
