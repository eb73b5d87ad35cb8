using Quarry.Documents;
using Quarry.Embedding;

namespace Quarry.Storage.Sqlite.Tests.Embedding;

/// <summary>
/// Re-embedding a knowledge base with a new model on a real SQLite file: the new vectors are built beside the old,
/// the switch is one transaction, searches never compare vectors of two models, and an interrupted run resumes.
/// </summary>
public sealed class ReindexTests : IDisposable
{
    private static readonly (string, string)[] Corpus =
    [
        ("cars.txt", "Our car insurance covers theft and fire damage."),
        ("boats.txt", "Boat insurance covers storms at sea."),
        ("cats.txt", "Cats sleep most of the day."),
        ("dogs.txt", "Dogs need a walk every morning."),
    ];

    private readonly string _data = SqliteTestStore.NewDirectory();

    public void Dispose() => SqliteTestStore.DeleteDirectory(_data);

    private Task<EngineHost> Start(string model, int dimension = 32, int reindexBatch = 256) =>
        EngineHost.StartAsync(_data, new WordHashEmbedder(model, dimension), reindexBatch: reindexBatch);

    [Fact]
    public async Task The_first_vectors_stored_make_their_model_the_knowledge_bases_and_search_is_hybrid()
    {
        await using var old = await Start("test:old");
        await old.IngestAsync("kb", Corpus);

        var kb = await old.KnowledgeBaseAsync("kb");
        kb.EmbeddingModel.Should().Be(new EmbeddingModel("test:old", 32));
        kb.EmbeddingsIncomplete.Should().BeFalse();
        var result = await old.SearchAsync("car theft");
        result.Mode.Should().Be("hybrid");
        result.Degraded.Should().BeNull();
        result.Chunks[0].VectorRank.Should().Be(1);
    }

    [Fact]
    public async Task A_query_embedder_of_another_model_is_never_compared_and_the_reason_names_both_models()
    {
        await using (var old = await Start("test:old"))
            await old.IngestAsync("kb", Corpus);

        await using var @new = await Start("test:new", dimension: 48);
        var result = await @new.SearchAsync("car theft");

        result.Mode.Should().Be("keyword");
        result.Chunks.Should().NotBeEmpty().And.OnlyContain(c => c.VectorRank == null);
        result.Degraded.Should().Contain("test:old (32 dimensions)").And.Contain("test:new (48 dimensions)")
            .And.Contain("quarry reindex --kb kb");
    }

    [Fact]
    public async Task Reindex_builds_beside_the_old_vectors_switches_when_complete_and_an_interrupted_run_resumes()
    {
        await using (var old = await Start("test:old"))
            await old.IngestAsync("kb", Corpus);
        var chunks = Corpus.Length;

        // One chunk per step; the provider fails on the third step.
        await using (var failing = await Start("test:new", reindexBatch: 1))
        {
            failing.Embedder!.FailAfterDocumentCalls = 2;
            var interrupted = () => failing.ReindexAsync("kb");
            await interrupted.Should().ThrowAsync<EmbeddingException>();

            var kb = await failing.KnowledgeBaseAsync("kb");
            kb.EmbeddingModel!.Id.Should().Be("test:old", "nothing switches before every chunk has a new vector");
            (await failing.Store.GetEmbeddingCoverageAsync(TenantId.Default, kb.Id, failing.Embedder.Model, CancellationToken.None))
                .Should().Be(new EmbeddingCoverage(chunks, 2));
            (await failing.SearchAsync("car theft")).Mode.Should().Be("keyword");
        }
        await using (var old = await Start("test:old"))
        {
            var during = await old.SearchAsync("car theft");
            during.Mode.Should().Be("hybrid", "until the switch the old model's vectors serve searches");
            during.Chunks[0].VectorRank.Should().Be(1);
        }

        await using var resumed = await Start("test:new", reindexBatch: 1);
        var report = await resumed.ReindexAsync("kb");

        report.Previous!.Id.Should().Be("test:old");
        report.Model.Should().Be(new EmbeddingModel("test:new", 32));
        (report.Chunks, report.AlreadyEmbedded, report.Embedded).Should().Be((chunks, 2, chunks - 2));
        resumed.Embedder!.DocumentTexts.Should().Be(chunks - 2, "the chunks stored by the interrupted run are not embedded again");
        report.DroppedVectors.Should().Be(chunks);
        var switched = await resumed.KnowledgeBaseAsync("kb");
        switched.EmbeddingModel.Should().Be(new EmbeddingModel("test:new", 32));
        switched.EmbeddingsIncomplete.Should().BeFalse();
        (await resumed.Store.GetEmbeddingCoverageAsync(TenantId.Default, switched.Id, new EmbeddingModel("test:old", 32), CancellationToken.None))
            .Embedded.Should().Be(0);

        var after = await resumed.SearchAsync("car theft");
        after.Mode.Should().Be("hybrid");
        after.Degraded.Should().BeNull();
        after.Chunks[0].Chunk.Title.Should().Be("cars");
        after.Chunks[0].VectorRank.Should().Be(1);
        await using var stale = await Start("test:old");
        (await stale.SearchAsync("car theft")).Degraded.Should().Contain("test:new").And.Contain("test:old");
    }

    [Fact]
    public async Task Vectors_embedded_before_come_from_the_cache_and_kept_old_vectors_make_switching_back_free()
    {
        await using (var old = await Start("test:old"))
            await old.IngestAsync("kb", Corpus);
        await using (var @new = await Start("test:new"))
        {
            var report = await @new.ReindexAsync("kb", dropPrevious: false);
            report.DroppedVectors.Should().Be(0);
        }

        await using var back = await Start("test:old");
        var again = await back.ReindexAsync("kb");

        (again.AlreadyEmbedded, again.Embedded).Should().Be((Corpus.Length, 0));
        back.Embedder!.DocumentTexts.Should().Be(0);
        (await back.KnowledgeBaseAsync("kb")).EmbeddingModel!.Id.Should().Be("test:old");
        (await back.SearchAsync("boat storms")).Mode.Should().Be("hybrid");
    }

    [Fact]
    public async Task Ingesting_with_another_model_stores_its_vectors_beside_and_never_mixes_them_into_searches()
    {
        await using (var old = await Start("test:old"))
            await old.IngestAsync("kb", Corpus[..3]);
        await using (var @new = await Start("test:new"))
        {
            await @new.IngestAsync("kb", Corpus[3]);
            var kb = await @new.KnowledgeBaseAsync("kb");
            kb.EmbeddingModel!.Id.Should().Be("test:old");
            kb.EmbeddingsIncomplete.Should().BeTrue();
            var dogs = await @new.DocumentIdAsync("dogs.txt");
            (await @new.Store.GetDocumentEmbeddingsAsync(TenantId.Default, dogs, "test:new", CancellationToken.None)).Should().HaveCount(1);
        }

        await using (var old = await Start("test:old"))
        {
            var result = await old.SearchAsync("dogs walk morning");
            result.Mode.Should().Be("hybrid");
            result.Degraded.Should().Contain("chunks without vectors of test:old");
            // Found by its words only: it has no vector of the model being searched.
            var dogs = result.Chunks.Single(c => c.Chunk.Title == "dogs");
            (dogs.KeywordRank, dogs.VectorRank).Should().Be((1, null));
        }

        await using var reindexing = await Start("test:new");
        var report = await reindexing.ReindexAsync("kb");
        report.Embedded.Should().Be(3, "the chunk ingested with the new model already has its vector");
        (await reindexing.KnowledgeBaseAsync("kb")).EmbeddingsIncomplete.Should().BeFalse();
        (await reindexing.SearchAsync("dogs walk morning")).Chunks[0].VectorRank.Should().Be(1);
    }

    [Fact]
    public async Task Chunks_stored_without_an_embedder_are_filled_in_by_a_reindex_with_the_same_model()
    {
        await using (var old = await Start("test:old"))
            await old.IngestAsync("kb", Corpus[..3]);
        await using (var offline = await EngineHost.StartAsync(_data, embedder: null))
        {
            await offline.IngestAsync("kb", Corpus[3]);
            (await offline.KnowledgeBaseAsync("kb")).EmbeddingsIncomplete.Should().BeTrue();
        }

        await using var host = await Start("test:old");
        var report = await host.ReindexAsync("kb");

        (report.AlreadyEmbedded, report.Embedded, report.DroppedVectors).Should().Be((3, 1, 0));
        (await host.KnowledgeBaseAsync("kb")).EmbeddingsIncomplete.Should().BeFalse();
        (await host.SearchAsync("dogs walk morning")).Chunks[0].VectorRank.Should().Be(1);
    }

    [Fact]
    public async Task A_knowledge_base_without_vectors_is_searched_by_keywords_with_the_fix_named()
    {
        await using (var offline = await EngineHost.StartAsync(_data, embedder: null))
            await offline.IngestAsync("kb", Corpus);

        await using var host = await Start("test:old");
        var result = await host.SearchAsync("car theft", "kb");

        result.Mode.Should().Be("keyword");
        result.Degraded.Should().Contain("'kb' has no vectors").And.Contain("quarry reindex --kb kb");
        var missing = () => host.ReindexAsync("nope");
        await missing.Should().ThrowAsync<KeyNotFoundException>();
    }

    [Fact]
    public async Task Upgrading_a_version_2_database_makes_each_knowledge_base_search_the_model_of_its_vectors()
    {
        await using (var old = await Start("test:old"))
        {
            await old.IngestAsync("embedded", Corpus[..2]);
            await old.IngestAsync("partly", Corpus[2..3]);
        }
        await using (var offline = await EngineHost.StartAsync(_data, embedder: null))
        {
            await offline.IngestAsync("partly", Corpus[3]);
            await offline.IngestAsync("plain", Corpus[..1]);
        }
        // Back to schema 2: what migrations 3 (this one) and later add (keys, audit, fair ingestion, hidden KBs, child
        // documents, knowledge versions, access lists, chat usage, sessions) goes away, the data stays.
        await ExecuteAsync("""
            DROP TABLE session_turns; DROP TABLE sessions; DROP TABLE llm_usage;
            ALTER TABLE documents DROP COLUMN acl_id; DROP TABLE access_list_entries; DROP TABLE access_lists;
            DROP TRIGGER documents_version_insert; DROP TRIGGER documents_version_update; DROP TRIGGER documents_version_delete;
            DROP TRIGGER index_changes_version; DROP TRIGGER knowledge_bases_version_model; DROP INDEX embedding_cache_created;
            ALTER TABLE knowledge_bases DROP COLUMN knowledge_version;
            DROP INDEX documents_parent; ALTER TABLE documents DROP COLUMN parent_id;
            DROP TABLE ingestion_tenant_turns; DROP INDEX ingestion_jobs_doc; DROP INDEX ingestion_jobs_kb;
            DROP TABLE audit_records; DROP TABLE audit_chain_heads; DROP TABLE audit_checkpoints;
            ALTER TABLE knowledge_bases DROP COLUMN hidden;
            DROP TABLE api_keys; DROP INDEX ingestion_jobs_tenant_status;
            DROP TRIGGER documents_changed_insert; DROP TRIGGER documents_changed_update; DROP TRIGGER documents_changed_delete;
            DROP TABLE index_changes;
            ALTER TABLE knowledge_bases DROP COLUMN embedding_model;
            ALTER TABLE knowledge_bases DROP COLUMN embedding_dimension;
            ALTER TABLE knowledge_bases DROP COLUMN embeddings_incomplete;
            DELETE FROM schema_migrations WHERE version >= 3;
            """);

        await using var upgraded = await Start("test:old");

        var model = new EmbeddingModel("test:old", 32);
        (await upgraded.KnowledgeBaseAsync("embedded")).Should().Match<KnowledgeBase>(k => k.EmbeddingModel == model && !k.EmbeddingsIncomplete);
        (await upgraded.KnowledgeBaseAsync("partly")).Should().Match<KnowledgeBase>(k => k.EmbeddingModel == model && k.EmbeddingsIncomplete);
        (await upgraded.KnowledgeBaseAsync("plain")).EmbeddingModel.Should().BeNull();
        (await upgraded.SearchAsync("car theft", "embedded")).Mode.Should().Be("hybrid");
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_data, "quarry.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Only_knowledge_bases_on_the_query_model_are_vector_searched()
    {
        await using (var old = await Start("test:old"))
            await old.IngestAsync("legacy", Corpus[..2]);
        await using var host = await Start("test:new");
        await host.IngestAsync("current", Corpus[2..]);

        var result = await host.SearchAsync("insurance cats");

        result.Mode.Should().Be("hybrid");
        result.Degraded.Should().StartWith("partly keyword-only").And.Contain("'legacy'").And.NotContain("'current'");
        var legacy = (await host.KnowledgeBaseAsync("legacy")).Id;
        result.Chunks.Where(c => c.Chunk.KnowledgeBaseId == legacy).Should().NotBeEmpty().And.OnlyContain(c => c.VectorRank == null);
        result.Chunks.Should().Contain(c => c.Chunk.Title == "cats" && c.VectorRank != null);
    }
}
