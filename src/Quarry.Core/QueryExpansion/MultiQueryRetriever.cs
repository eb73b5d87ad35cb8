using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Diagnostics;
using Quarry.Documents;
using Quarry.Generation;
using Quarry.Retrieval;

namespace Quarry.QueryExpansion;

/// <summary>The fused retrieval and the rephrasings that took part (empty: the question was retrieved alone).</summary>
public sealed record MultiQueryResult(RetrievalResult Retrieval, IReadOnlyList<string> Variants);

/// <summary>
/// Retrieves a question together with rephrasings the chat model writes for it (span <c>rag.multiquery</c>), all in
/// parallel, and fuses the rankings by weighted reciprocal rank. Every chunk keeps the scores its own retrieval gave it,
/// so evidence thresholds downstream read the same scale as without variants. When the model is missing, slow or
/// unusable, the question is retrieved alone.
/// </summary>
public sealed class MultiQueryRetriever
{
    private const int RankConstant = 60;

    private readonly Retriever _retriever;
    private readonly IChatModel? _chat;
    private readonly MultiQueryOptions _options;
    private readonly ILogger _logger;

    internal MultiQueryRetriever(Retriever retriever, IChatModel? chat, IOptions<MultiQueryOptions> options, ILogger<MultiQueryRetriever> logger)
    {
        _retriever = retriever;
        _chat = chat;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Whether variants are asked for at all (a chat model is configured and <see cref="MultiQueryOptions.Variants"/> &gt; 0).</summary>
    public bool Enabled => _chat is not null && _options.Variants > 0;

    public async Task<MultiQueryResult> RetrieveAsync(RetrievalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Enabled) return new MultiQueryResult(await _retriever.RetrieveAsync(request, cancellationToken), []);

        using var stage = QuarryTelemetry.StartStage("rag.multiquery");
        // The question's own retrieval starts while the model writes variants: it is needed either way.
        var own = _retriever.RetrieveAsync(request, cancellationToken);
        IReadOnlyList<string> variants;
        try
        {
            variants = await VariantsAsync(request.Query, request.Filter.Tenant, cancellationToken);
        }
        catch
        {
            // The caller sees the variants' failure; the question's retrieval must not fault unobserved behind it.
            _ = own.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }
        stage.Activity?.SetTag("quarry.multiquery.variants", variants.Count);
        if (variants.Count == 0) return new MultiQueryResult(await own, []);

        var others = variants.Select(v => _retriever.RetrieveAsync(request with { Query = v }, cancellationToken)).ToList();
        var question = await own;
        var results = await Task.WhenAll(others);
        return new MultiQueryResult(Fuse(question, results, request.TopK ?? question.Chunks.Count, _options.QuestionWeight), variants);
    }

    /// <summary>Weighted reciprocal-rank fusion; a chunk found by the question keeps the question's record of it.</summary>
    internal static RetrievalResult Fuse(RetrievalResult question, IReadOnlyList<RetrievalResult> variants, int topK, double questionWeight)
    {
        var fused = new Dictionary<ChunkId, (RetrievedChunk Chunk, double Score, int Order)>();
        var order = 0;
        void Add(RetrievalResult result, double weight)
        {
            for (var rank = 0; rank < result.Chunks.Count; rank++)
            {
                var chunk = result.Chunks[rank];
                var share = weight / (RankConstant + rank + 1);
                fused[chunk.Chunk.Id] = fused.TryGetValue(chunk.Chunk.Id, out var seen)
                    ? (seen.Chunk, seen.Score + share, seen.Order)
                    : (chunk, share, order++);
            }
        }
        Add(question, questionWeight);
        foreach (var variant in variants) Add(variant, 1.0);
        var chunks = fused.Values.OrderByDescending(e => e.Score).ThenBy(e => e.Order).Take(topK).Select(e => e.Chunk).ToList();
        var degraded = question.Degraded ?? variants.Select(v => v.Degraded).FirstOrDefault(d => d is not null);
        return new RetrievalResult(chunks, question.Mode, degraded);
    }

    private async Task<IReadOnlyList<string>> VariantsAsync(string question, TenantId tenant, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            var messages = new List<ChatMessage> { new(ChatRole.System, QueryVariantPrompt.System(_options.Variants)), new(ChatRole.User, question) };
            var completion = await _chat!.CompleteAsync(new ChatRequest(messages, _options.MaxOutputTokens, tenant, Temperature: 0.3f), timeout.Token);
            return QueryVariantPrompt.Parse(completion.Text, question, _options.Variants);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            MultiQueryLog.TimedOut(_logger, _options.Timeout.TotalMilliseconds);
            return [];
        }
        catch (ChatModelException ex) when (!cancellationToken.IsCancellationRequested)
        {
            MultiQueryLog.Failed(_logger, ex.Message);
            return [];
        }
    }
}
