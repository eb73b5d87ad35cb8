using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using OpenAI;
using OpenAI.Embeddings;
using Polly;
using Polly.Retry;
using Quarry.Diagnostics;
using Quarry.Embedding;

namespace Quarry.Models.OpenAI;

/// <summary>
/// Embeds through any server speaking OpenAI's <c>POST /embeddings</c>, with the official SDK for the wire format and
/// Polly for resilience: the SDK's own retries are off so that one policy (ours) decides, honours Retry-After and
/// bounds each attempt.
/// </summary>
internal sealed class OpenAICompatibleEmbedder : IEmbedder, IDisposable
{
    private const string PlaceholderApiKey = "no-key";

    private static readonly Counter<long> TextsEmbedded =
        QuarryTelemetry.Meter.CreateCounter<long>("quarry.embed.texts", description: "Texts embedded by a model endpoint.");

    private static readonly ResiliencePropertyKey<int> BatchCount = new("quarry.embed.batch_count");

    private readonly OpenAIEmbeddingOptions _options;
    private readonly Uri _endpoint;
    private readonly EmbeddingClient _client;
    private readonly ResiliencePipeline _pipeline;
    private readonly SemaphoreSlim _gate;
    private readonly ILogger _logger;
    private readonly string _modelId;
    private readonly string? _queryPrefix;
    private readonly string? _documentPrefix;
    private int _dimension;

    public OpenAICompatibleEmbedder(OpenAIEmbeddingOptions options, TimeProvider time, ILogger<OpenAICompatibleEmbedder> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Endpoint);
        _options = options;
        _endpoint = options.Endpoint;
        _logger = logger;
        _dimension = options.Dimensions ?? 0;
        var published = EmbeddingPrefixes.Published(options.Model);
        _queryPrefix = options.QueryPrefix ?? published.Query;
        _documentPrefix = options.DocumentPrefix ?? published.Document;
        _modelId = EmbeddingPrefixes.QualifyModelId("openai:" + options.Model + (options.Dimensions is { } d ? "@" + d : ""), _documentPrefix);
        _gate = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
        _client = new EmbeddingClient(
            options.Model,
            new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? PlaceholderApiKey : options.ApiKey),
            new OpenAIClientOptions
            {
                Endpoint = options.Endpoint,
                RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
                // Polly's per-attempt timeout decides; the SDK's network timeout is only a backstop behind it.
                NetworkTimeout = options.Timeout + TimeSpan.FromSeconds(30),
            });
        _pipeline = BuildPipeline(options, time);
    }

    public EmbeddingModel Model => new(_modelId, Volatile.Read(ref _dimension));

    public async Task<IReadOnlyList<ReadOnlyMemory<float>>> EmbedAsync(IReadOnlyList<string> texts, EmbeddingKind kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0)
            return [];
        texts = EmbeddingPrefixes.Apply(texts, kind, _queryPrefix, _documentPrefix);
        var batchSize = _options.BatchSize;
        if (texts.Count <= batchSize)
            return await EmbedBatchAsync(texts as string[] ?? [.. texts], cancellationToken);

        // Batches run concurrently up to MaxConcurrency; the first failure cancels the rest.
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new List<Task<ReadOnlyMemory<float>[]>>((texts.Count + batchSize - 1) / batchSize);
        for (var start = 0; start < texts.Count; start += batchSize)
        {
            var batch = new string[Math.Min(batchSize, texts.Count - start)];
            for (var i = 0; i < batch.Length; i++)
                batch[i] = texts[start + i];
            tasks.Add(EmbedBatchOrCancelAsync(batch, failed));
        }
        try
        {
            await Task.WhenAll(tasks);
        }
        catch
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Report the failure that stopped the call, not a sibling batch it cancelled.
            var cause = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
            if (cause is not null)
                ExceptionDispatchInfo.Throw(cause);
            throw;
        }

        var result = new ReadOnlyMemory<float>[texts.Count];
        var offset = 0;
        foreach (var task in tasks)
        {
            var vectors = await task;
            vectors.CopyTo(result, offset);
            offset += vectors.Length;
        }
        return result;
    }

    private async Task<ReadOnlyMemory<float>[]> EmbedBatchOrCancelAsync(string[] batch, CancellationTokenSource failed)
    {
        await _gate.WaitAsync(failed.Token);
        try
        {
            return await EmbedUnderGateAsync(batch, failed.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Cancel the siblings before the gate opens, or the next queued batch is already on its way.
            await failed.CancelAsync();
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ReadOnlyMemory<float>[]> EmbedBatchAsync(string[] batch, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await EmbedUnderGateAsync(batch, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ReadOnlyMemory<float>[]> EmbedUnderGateAsync(string[] batch, CancellationToken cancellationToken)
    {
        using var stage = QuarryTelemetry.StartStage("embed");
        stage.Activity?.SetTag("quarry.embed.model", _modelId);
        stage.Activity?.SetTag("quarry.embed.batch_size", batch.Length);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(BatchCount, batch.Length);
        var attempts = new StrongBox<int>();
        try
        {
            var embeddings = await _pipeline.ExecuteAsync(
                static async (ctx, state) =>
                {
                    state.Attempts.Value++;
                    var response = await state.Client.GenerateEmbeddingsAsync(state.Batch, state.Options, ctx.CancellationToken);
                    return response.Value;
                },
                context,
                (Client: _client, Batch: batch,
                // A fresh options object per request: the SDK writes the request's input and model into the one
                // it is given, so a shared instance let concurrent batches send each other's texts.
                Options: new EmbeddingGenerationOptions { Dimensions = _options.Dimensions }, Attempts: attempts));
            var vectors = Validate(embeddings, batch.Length);
            TextsEmbedded.Add(batch.Length, new KeyValuePair<string, object?>("model", _modelId));
            return vectors;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var failure = ProviderErrors.ToEmbeddingException(e, _endpoint, _options.Model, _options.Timeout, attempts.Value);
            stage.Fail(failure);
            if (ReferenceEquals(failure, e))
                throw;
            throw failure;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>One vector per input, each input exactly once, all of the model's dimension.</summary>
    private ReadOnlyMemory<float>[] Validate(OpenAIEmbeddingCollection embeddings, int expected)
    {
        if (embeddings.Count != expected)
            throw Invalid($"returned {embeddings.Count} embeddings for {expected} inputs");

        var result = new ReadOnlyMemory<float>[expected];
        var seen = new bool[expected];
        var batchDimension = 0;
        foreach (var embedding in embeddings)
        {
            if (embedding.Index < 0 || embedding.Index >= expected || seen[embedding.Index])
                throw Invalid($"returned embedding index {embedding.Index}, expected each of 0..{expected - 1} once");
            seen[embedding.Index] = true;
            // Copied: the SDK may decode into memory that belongs to the response buffer, and vectors outlive it.
            ReadOnlyMemory<float> vector = embedding.ToFloats().ToArray();
            if (vector.Length == 0)
                throw Invalid($"returned an empty embedding at index {embedding.Index}");
            if (batchDimension == 0)
                batchDimension = vector.Length;
            else if (vector.Length != batchDimension)
                throw Invalid($"returned embeddings of {batchDimension} and {vector.Length} dimensions in one response");
            result[embedding.Index] = vector;
        }

        var known = Volatile.Read(ref _dimension);
        if (known == 0)
        {
            known = Interlocked.CompareExchange(ref _dimension, batchDimension, 0);
            if (known == 0)
            {
                Log.DimensionLearnt(_logger, _options.Model, _endpoint, batchDimension);
                known = batchDimension;
            }
        }
        if (batchDimension != known)
        {
            var source = _options.Dimensions is null ? "learnt from its first response" : "configured";
            throw Invalid($"returned {batchDimension}-dimensional embeddings, expected {known} ({source})");
        }
        return result;
    }

    private EmbeddingException Invalid(string problem) =>
        new($"The embedding endpoint {_endpoint} {problem} for model '{_options.Model}'.", isTransient: false);

    private ResiliencePipeline BuildPipeline(OpenAIEmbeddingOptions options, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && ProviderErrors.IsTransient(e)
                    // A server asking for a longer pause than we are willing to hold the caller gets a transient failure now.
                    && !(RetryAfter.From(e, time.GetUtcNow()) > options.MaxRetryDelay)),
                // The server's Retry-After wins over our backoff; null falls back to the backoff.
                DelayGenerator = args => ValueTask.FromResult(RetryAfter.From(args.Outcome.Exception, time.GetUtcNow())),
                OnRetry = args =>
                {
                    var failure = args.Outcome.Exception switch
                    {
                        ClientResultException e when e.Status != 0 => e.Status.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        { } e => e.GetType().Name,
                        null => "no result",
                    };
                    Log.Retrying(_logger, _endpoint, options.Model, args.Context.Properties.GetValue(BatchCount, 0), failure,
                        args.AttemptNumber + 1, options.MaxRetries, (long)args.RetryDelay.TotalMilliseconds, args.Outcome.Exception);
                    return default;
                },
            });
        }
        return builder.AddTimeout(options.Timeout).Build();
    }

    public void Dispose() => _gate.Dispose();
}
