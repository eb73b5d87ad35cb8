using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Quarry.Answering;
using Quarry.Diagnostics;
using Quarry.Embedding;

namespace Quarry.Caching;

/// <summary>How a request uses the cache.</summary>
/// <param name="Bypass">Answer afresh and store nothing (<c>Cache-Control: no-cache</c>, <c>"cache": "bypass"</c>).</param>
/// <param name="AccessScope">Opaque key part for document permissions: requests that may see different documents must
/// pass different scopes. Empty while no permissions apply.</param>
/// <param name="Admit">Called before an answer is computed, never for a hit: takes one of the caller's concurrent-answer
/// slots (released by disposing) or throws to refuse. Hits are cheap and must not queue behind slow generations.</param>
public sealed record AnswerCacheRequest(bool Bypass = false, string AccessScope = "", Func<CancellationToken, ValueTask<IDisposable>>? Admit = null)
{
    internal ValueTask<IDisposable> AdmitAsync(CancellationToken cancellationToken) =>
        Admit?.Invoke(cancellationToken) ?? ValueTask.FromResult<IDisposable>(NoSlot.Instance);

    private sealed class NoSlot : IDisposable
    {
        public static NoSlot Instance { get; } = new();

        public void Dispose()
        {
        }
    }
}

/// <summary>
/// The answer path behind the cache: L1 (this process) → L2 (shared, if any) → semantic (same scope, similar question)
/// → <see cref="AskService"/>. Identical questions in flight at once are answered once. What is stored is decided by
/// <see cref="CacheAdmission"/>.
/// </summary>
public sealed class AnswerCache : IDisposable
{
    private readonly AskService _ask;
    private readonly IKnowledgeVersions _versions;
    private readonly GuardedCacheStore? _l2;
    private readonly IEmbedder? _embedder;
    private readonly SemanticIndex? _semantic;
    private readonly AnswerCacheOptions _options;
    private readonly string _model;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MemoryCache _l1;
    private readonly ConcurrentDictionary<string, Lazy<Task<Answer>>> _flights = new(StringComparer.Ordinal);

    internal AnswerCache(AskService ask, IKnowledgeVersions versions, GuardedCacheStore? l2, IEmbedder? embedder,
        AnswerCacheOptions options, string model, TimeProvider time, ILogger logger)
    {
        _ask = ask;
        _versions = versions;
        _l2 = l2;
        _embedder = options.Semantic ? embedder : null;
        _semantic = _embedder is null ? null : new SemanticIndex(options.SemanticEntriesPerScope);
        _options = options;
        _model = model;
        _time = time;
        _logger = logger;
        _l1 = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.L1SizeBytes });
        CachingLog.Configured(logger, options.L1SizeBytes / (1024 * 1024), l2?.Name ?? "off",
            _semantic is not null ? $"on ({embedder!.Model.Id}, threshold {options.SemanticThreshold})"
                : options.Semantic ? "off (no embedder configured)" : "off (Cache:Semantic=false)");
    }

    public async Task<Answer> AskAsync(AskRequest request, AnswerCacheRequest cache, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(cache);
        if (Skip(request, cache) is { } info)
        {
            using (await cache.AdmitAsync(cancellationToken))
                return (await _ask.AskAsync(request, cancellationToken)) with { Cache = info };
        }
        var started = _time.GetTimestamp();
        var context = await ContextAsync(request, cache, cancellationToken);
        var hit = await LookupAsync(context, cancellationToken);
        if (hit is not null) return Served(hit.Value.Entry, hit.Value.Layer, started);

        var flight = new Lazy<Task<Answer>>(() => ComputeAsync(context, request, cache, cancellationToken));
        var current = _flights.GetOrAdd(context.Key, flight);
        try
        {
            var answer = await current.Value.WaitAsync(cancellationToken);
            if (ReferenceEquals(current, flight)) return answer with { Cache = AnswerCacheInfo.Miss };
            // Another request computed it while this one waited: one computation for many identical questions.
            Count(true, "l1");
            return Joined(answer, started);
        }
        catch (OperationCanceledException) when (!ReferenceEquals(current, flight) && !cancellationToken.IsCancellationRequested)
        {
            // The request that led the computation went away; this one still wants its answer.
            return (await ComputeAsync(context, request, cache, cancellationToken)) with { Cache = AnswerCacheInfo.Miss };
        }
        finally
        {
            if (ReferenceEquals(current, flight)) _flights.TryRemove(new KeyValuePair<string, Lazy<Task<Answer>>>(context.Key, flight));
        }
    }

    /// <summary>A hit streams the same events as a computed answer (evidence, deltas, citations, done).</summary>
    public async IAsyncEnumerable<AnswerEvent> StreamAsync(AskRequest request, AnswerCacheRequest cache, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(cache);
        var skip = Skip(request, cache);
        var started = _time.GetTimestamp();
        Context? context = null;
        if (skip is null)
        {
            context = await ContextAsync(request, cache, cancellationToken);
            if (await LookupAsync(context, cancellationToken) is { Entry.Evidence: not null } hit)
            {
                var answer = Served(hit.Entry, hit.Layer, started);
                yield return new EvidenceEvent(hit.Entry.Evidence);
                foreach (var piece in AskService.Pieces(answer.Text)) yield return new DeltaEvent(piece);
                yield return new CitationsEvent(answer.Citations, answer.UnsupportedSentences);
                yield return new DoneEvent(answer);
                yield break;
            }
        }

        IReadOnlyList<Evidence>? evidence = null;
        using var slot = await cache.AdmitAsync(cancellationToken);
        await foreach (var e in _ask.StreamAsync(request, cancellationToken))
        {
            if (e is EvidenceEvent ev) evidence = ev.Evidence;
            if (e is DoneEvent done)
            {
                if (context is not null) await StoreAsync(context, done.Answer, evidence, cancellationToken);
                yield return new DoneEvent(done.Answer with { Cache = skip ?? AnswerCacheInfo.Miss });
                continue;
            }
            yield return e;
        }
    }

    public void Dispose() => _l1.Dispose();

    private AnswerCacheInfo? Skip(AskRequest request, AnswerCacheRequest cache)
    {
        if (!_options.Enabled || _options.DisabledTenants.Contains(request.Filter.Tenant.Value, StringComparer.Ordinal)) return AnswerCacheInfo.Off;
        return cache.Bypass ? AnswerCacheInfo.Bypassed : null;
    }

    private sealed record Context(string Scope, string Key, string Question, string OriginalQuestion)
    {
        public float[]? Vector { get; set; }
    }

    private async Task<Context> ContextAsync(AskRequest request, AnswerCacheRequest cache, CancellationToken cancellationToken)
    {
        var version = await _versions.GetKnowledgeVersionAsync(request.Filter.Tenant, request.Filter.KnowledgeBases, cancellationToken);
        var scope = AnswerCacheKeys.Scope(request, version, _model, cache.AccessScope);
        var question = AnswerCacheKeys.Normalize(QuestionText.Clean(request.Question));
        return new Context(scope, AnswerCacheKeys.Exact(scope, question), question, request.Question);
    }

    private async Task<(CachedAnswer Entry, string Layer)?> LookupAsync(Context context, CancellationToken cancellationToken)
    {
        using var span = QuarryTelemetry.StartStage("cache.get");
        var found = await ExactAsync(context.Key, count: true, cancellationToken);
        if (found is null && _semantic is not null && context.Question.Length > 0)
        {
            context.Vector = await EmbedAsync(context.OriginalQuestion, cancellationToken);
            if (context.Vector is not null && _semantic.Nearest(context.Scope, context.Vector, _options.SemanticThreshold) is { } near)
            {
                var entry = await ExactAsync(near.Key, count: false, cancellationToken);
                if (entry is not null)
                {
                    span.Activity?.SetTag("quarry.cache.similarity", near.Similarity);
                    found = (entry.Value.Entry, "semantic");
                }
            }
            Count(found is not null, "semantic");
        }
        span.Activity?.SetTag("quarry.cache.layer", found?.Layer ?? "miss");
        return found;
    }

    private async Task<(CachedAnswer Entry, string Layer)?> ExactAsync(string key, bool count, CancellationToken cancellationToken)
    {
        if (_l1.TryGetValue(key, out CachedAnswer? local) && local is not null)
        {
            if (count) Count(true, "l1");
            return (local, "l1");
        }
        if (count) Count(false, "l1");
        if (_l2 is null) return null;
        var bytes = await _l2.GetAsync(key, cancellationToken);
        var shared = bytes is null ? null : CachedAnswer.TryDeserialize(bytes);
        if (bytes is not null && shared is null) CachingLog.Unreadable(_logger, "l2");
        if (count) Count(shared is not null, "l2");
        if (shared is null) return null;
        SetLocal(key, shared, bytes!.Length);
        return (shared, "l2");
    }

    private async Task<Answer> ComputeAsync(Context context, AskRequest request, AnswerCacheRequest cache, CancellationToken cancellationToken)
    {
        Answer answer;
        using (await cache.AdmitAsync(cancellationToken))
            answer = await _ask.AskAsync(request, cancellationToken);
        await StoreAsync(context, answer, null, cancellationToken);
        return answer;
    }

    private async Task StoreAsync(Context context, Answer answer, IReadOnlyList<Evidence>? evidence, CancellationToken cancellationToken)
    {
        if (!CacheAdmission.Admits(answer)) return;
        var entry = new CachedAnswer(_time.GetUtcNow().ToUnixTimeMilliseconds(), context.Question, answer with { Cache = null }, evidence);
        var bytes = entry.Serialize();
        if (bytes.Length > _options.MaxEntryBytes) return;
        using var span = QuarryTelemetry.StartStage("cache.set");
        SetLocal(context.Key, entry, bytes.Length);
        if (_l2 is not null) await _l2.SetAsync(context.Key, bytes, cancellationToken);
        if (_semantic is not null && context.Question.Length > 0)
        {
            context.Vector ??= await EmbedAsync(context.OriginalQuestion, cancellationToken);
            if (context.Vector is not null) _semantic.Add(context.Scope, context.Vector, context.Key);
        }
    }

    private void SetLocal(string key, CachedAnswer entry, long size) =>
        _l1.Set(key, entry, new MemoryCacheEntryOptions { Size = size, AbsoluteExpirationRelativeToNow = _options.L1Ttl });

    private async Task<float[]?> EmbedAsync(string question, CancellationToken cancellationToken)
    {
        try
        {
            var vectors = await _embedder!.EmbedAsync([question], EmbeddingKind.Query, cancellationToken);
            return vectors.Count == 1 ? vectors[0].ToArray() : null;
        }
        catch (EmbeddingException ex)
        {
            CachingLog.SemanticFailed(_logger, ex.Message);
            return null;
        }
    }

    private Answer Served(CachedAnswer entry, string layer, long started)
    {
        var age = Math.Max(0, (_time.GetUtcNow().ToUnixTimeMilliseconds() - entry.CreatedAtMs) / 1000.0);
        return Finish(entry.Answer, new AnswerCacheInfo(true, layer, Math.Round(age, 3)), started);
    }

    private Answer Joined(Answer answer, long started) => Finish(answer, new AnswerCacheInfo(true, "l1", 0), started);

    private Answer Finish(Answer answer, AnswerCacheInfo info, long started)
    {
        var ms = _time.GetElapsedTime(started).TotalMilliseconds;
        var served = answer with { Cache = info, Usage = null, Cost = null, TimingsMs = new Dictionary<string, double> { ["cache"] = ms, ["total"] = ms } };
        if (RequestFacts.Current is { } facts) facts.CacheLayer = info.Layer;
        AskService.Record(RequestFacts.Current, served);
        return served;
    }

    private static void Count(bool hit, string layer)
    {
        var tag = new KeyValuePair<string, object?>(AiMetrics.Tags.Layer, layer);
        if (hit) AiMetrics.CacheHits.Add(1, tag);
        else AiMetrics.CacheMisses.Add(1, tag);
    }
}
