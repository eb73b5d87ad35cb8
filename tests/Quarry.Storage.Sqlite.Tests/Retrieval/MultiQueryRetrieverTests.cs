using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quarry.Answering;
using Quarry.Documents;
using Quarry.Generation;
using Quarry.Ingestion;
using Quarry.QueryExpansion;
using Quarry.Retrieval;
using Quarry.Storage.Sqlite;

namespace Quarry.Storage.Sqlite.Tests.Retrieval;

/// <summary>
/// Multi-query on a real SQLite store: the model's rephrasing finds a document the question's own words miss; a model
/// that fails leaves the question's retrieval as it was; the reply is read robustly.
/// </summary>
public sealed class MultiQueryRetrieverTests : IAsyncDisposable
{
    private const string Question = "Can I bring my dog to work?";
    private readonly string _data = SqliteTestStore.NewDirectory();
    private ServiceProvider? _services;

    public async ValueTask DisposeAsync()
    {
        if (_services is not null) await _services.DisposeAsync();
        SqliteTestStore.DeleteDirectory(_data);
    }

    private async Task<(MultiQueryRetriever Retriever, SearchFilter Filter)> BuildAsync(ScriptedChat chat, int variants = 2)
    {
        var services = new ServiceCollection();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddQuarrySqliteStorage(o => o.DataDirectory = _data);
        services.AddQuarryIngestion();
        services.AddQuarryRetrieval();
        services.AddSingleton<IChatModel>(chat);
        services.AddQuarryAnswering();
        services.AddQuarryMultiQuery(o => o.Variants = variants);
        _services = services.BuildServiceProvider();
        var sources = new[]
        {
            ("pets.md", "# Pets in the office\n\nAnimals are welcome in the office on Fridays, on a leash, if the team agrees."),
            ("commute.md", "# Commuting\n\nThe company pays half of a public transport pass. Bring your badge to the front desk to claim it."),
            ("parking.md", "# Parking\n\nThe garage under building B has forty spaces; electric cars charge for free."),
        }.Select(d => IngestSource.FromBytes("mem://" + d.Item1, d.Item1, System.Text.Encoding.UTF8.GetBytes(d.Item2))).ToList();
        await _services.GetRequiredService<DocumentIngestor>().IngestAsync(new IngestRequest(TenantId.Default, "handbook", sources), null, CancellationToken.None);
        var kb = await _services.GetRequiredService<IDocumentStore>().FindKnowledgeBaseAsync(TenantId.Default, "handbook", CancellationToken.None);
        return (_services.GetRequiredService<MultiQueryRetriever>(), new SearchFilter { Tenant = TenantId.Default, KnowledgeBases = [kb!.Id] });
    }

    [Fact]
    public async Task A_rephrasing_finds_the_document_the_questions_own_words_miss_and_the_answer_cites_it()
    {
        var chat = new ScriptedChat(request => request.Messages[0].Content.StartsWith("You help a search engine", StringComparison.Ordinal)
            ? "1. Are pets allowed in the office?\n2. can i bring my dog to work\n3. animals at the workplace policy"
            : "Animals are welcome on Fridays [1].");
        var (retriever, filter) = await BuildAsync(chat);

        var alone = await _services!.GetRequiredService<Retriever>().RetrieveAsync(new RetrievalRequest(Question, filter, 3), CancellationToken.None);
        var result = await retriever.RetrieveAsync(new RetrievalRequest(Question, filter, 3), CancellationToken.None);

        alone.Chunks.Should().NotContain(c => c.Chunk.Text.Contains("Animals"), "the question shares no word with the pets policy");
        result.Variants.Should().Equal("Are pets allowed in the office?", "animals at the workplace policy");
        result.Retrieval.Chunks.Should().Contain(c => c.Chunk.Text.Contains("Animals are welcome"));
        var variantsCall = chat.Requests.Should().ContainSingle().Subject;
        variantsCall.MaxOutputTokens.Should().Be(160);
        variantsCall.Messages[0].Content.Should().Contain("Write 2 different search queries");

        var answer = await _services!.GetRequiredService<AskService>().AskAsync(new AskRequest(Question, filter), CancellationToken.None);
        answer.Citations.Should().Contain(c => c.Title == "Pets in the office");
    }

    [Fact]
    public async Task A_failing_model_leaves_the_questions_own_retrieval()
    {
        var chat = new ScriptedChat(_ => throw new ChatModelException("503 from provider", isTransient: true));
        var (retriever, filter) = await BuildAsync(chat);

        var result = await retriever.RetrieveAsync(new RetrievalRequest("Where is the garage?", filter, 3), CancellationToken.None);
        var alone = await _services!.GetRequiredService<Retriever>().RetrieveAsync(new RetrievalRequest("Where is the garage?", filter, 3), CancellationToken.None);

        result.Variants.Should().BeEmpty();
        result.Retrieval.Chunks.Select(c => c.Chunk.Id).Should().Equal(alone.Chunks.Select(c => c.Chunk.Id));
    }

    [Fact]
    public void The_question_counts_more_than_each_variant_and_chunks_keep_their_own_scores()
    {
        static RetrievedChunk Chunk(int n, double score) => new(new Chunk
        {
            Id = new ChunkId("c" + n), TenantId = TenantId.Default, KnowledgeBaseId = new KnowledgeBaseId("kb"), DocumentId = new DocumentId("d" + n),
            Version = 1, Ordinal = 0, Text = "t" + n, Title = "T", SourceUri = "mem://t", TokenCount = 1, Checksum = "x",
            Span = new TextSpan(0, 2), CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch,
        }, score, 1, score);
        var question = new RetrievalResult([Chunk(1, 9), Chunk(2, 8)], "keyword", null);
        var variant = new RetrievalResult([Chunk(2, 5), Chunk(3, 4)], "keyword", null);

        var fused = MultiQueryRetriever.Fuse(question, [variant, variant], topK: 3, questionWeight: 2);

        fused.Chunks.Select(c => c.Chunk.Id.Value).Should().Equal(["c2", "c1", "c3"], "found by the question and both rephrasings");
        fused.Chunks[0].Score.Should().Be(8, "a chunk the question found keeps the question's record of it");
        var drifting = new RetrievalResult([Chunk(3, 7), Chunk(4, 6)], "keyword", null);
        MultiQueryRetriever.Fuse(question, [drifting], topK: 3, questionWeight: 2).Chunks.Select(c => c.Chunk.Id.Value)
            .Should().Equal(["c1", "c2", "c3"], "what only one rephrasing found ranks below what the question found");
    }

    /// <summary>A chat model whose reply the test scripts (the remote provider cannot run here).</summary>
    private sealed class ScriptedChat(Func<ChatRequest, string> reply) : IChatModel
    {
        public List<ChatRequest> Requests { get; } = [];
        public string ModelId => "test:scripted";
        public int ContextWindow => 4096;

        public Task<ChatCompletion> CompleteAsync(ChatRequest request, CancellationToken cancellationToken)
        {
            if (request.Messages[0].Content.StartsWith("You help a search engine", StringComparison.Ordinal)) Requests.Add(request);
            return Task.FromResult(new ChatCompletion(reply(request), ModelId, null, "stop"));
        }

        public async IAsyncEnumerable<ChatUpdate> StreamAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            yield return new ChatUpdate((await CompleteAsync(request, cancellationToken)).Text, FinishReason: "stop");
        }
    }
}
