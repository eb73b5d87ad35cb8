using System.Diagnostics;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Chunking;
using Quarry.Diagnostics;
using Quarry.Documents;
using Quarry.Embedding;
using Quarry.Indexing.Vectors;
using Quarry.Parsing;
using Quarry.Privacy;
using Quarry.Storage;

namespace Quarry.Ingestion;

/// <summary>
/// Ingests a batch of sources through a bounded pipeline: parse + chunk on every core, then one writer that stores
/// the documents ready at that moment together (DocumentIngestor.Batching.cs). A bad file fails alone; the rest goes on.
/// </summary>
public sealed partial class DocumentIngestor
{
    private readonly DocumentParserSelector _parsers;
    private readonly StructureAwareChunker _chunker;
    private readonly IDocumentStore _store;
    private readonly IngestionOptions _options;
    private readonly ParsingOptions _parsing;
    private readonly TimeProvider _time;
    private readonly ILogger<DocumentIngestor> _logger;
    private readonly IEmbedder? _embedder;
    private readonly InMemoryVectorIndex? _vectors;
    private readonly PrivacyMasker? _privacy;
    private readonly Vectorizing.VectorizingSignal? _vectorizing;

    internal DocumentIngestor(
        DocumentParserSelector parsers,
        StructureAwareChunker chunker,
        IDocumentStore store,
        IOptions<IngestionOptions> options,
        IOptions<ParsingOptions> parsing,
        TimeProvider time,
        ILogger<DocumentIngestor> logger,
        IEmbedder? embedder = null,
        InMemoryVectorIndex? vectors = null,
        PrivacyMasker? privacy = null,
        Vectorizing.VectorizingSignal? vectorizing = null)
    {
        _privacy = privacy;
        _vectorizing = vectorizing;
        _embedder = embedder;
        _vectors = vectors;
        _parsers = parsers;
        _chunker = chunker;
        _store = store;
        _options = options.Value;
        _parsing = parsing.Value;
        _time = time;
        _logger = logger;
    }

    public async Task<IngestReport> IngestAsync(IngestRequest request, IProgress<IngestProgress>? progress, CancellationToken cancellationToken)
    {
        using var span = QuarryTelemetry.StartStage("ingest.job");
        var started = _time.GetTimestamp();
        var knowledgeBase = await EnsureKnowledgeBaseAsync(request, cancellationToken);
        span.Activity?.SetTag("quarry.tenant", request.Tenant.Value);
        span.Activity?.SetTag("quarry.kb", knowledgeBase.Name);

        var work = Channel.CreateBounded<IngestSource>(new BoundedChannelOptions(_options.QueueCapacity) { SingleWriter = true });
        var prepared = Channel.CreateBounded<Prepared>(new BoundedChannelOptions(_options.QueueCapacity) { SingleReader = true });
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = linked.Token;

        var producer = Task.Run(async () =>
        {
            try
            {
                foreach (var source in request.Sources)
                    await work.Writer.WriteAsync(source, token);
            }
            finally
            {
                work.Writer.TryComplete();
            }
        }, token);

        // Each worker's loop keeps one thread, where its documents are parsed and metered one after another.
        var workers = Enumerable.Range(0, Math.Max(1, _options.Parallelism)).Select(_ => JobThread.RunLoopAsync(async () =>
        {
            await foreach (var source in work.Reader.ReadAllAsync(token))
                await prepared.Writer.WriteAsync(await PrepareAsync(request, knowledgeBase, source, token), token);
        }, "quarry-ingest")).ToArray();

        var completion = Task.WhenAll(workers).ContinueWith(
            t => prepared.Writer.TryComplete(t.Exception?.GetBaseException()), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        var tally = new Tally(request.Sources.Count, request.Sources.Sum(s => s.Length), request.Rejected);
        try
        {
            await foreach (var first in prepared.Reader.ReadAllAsync(token))
            {
                await StoreBatchAsync(await TakeBatchAsync(first, prepared.Reader, token), tally, progress, token);
            }
            await Task.WhenAll(workers.Append(producer));
        }
        catch
        {
            await linked.CancelAsync();
            throw;
        }
        finally
        {
            await completion;
        }

        await CompactAsync(tally.ToReport(0).Chunks, cancellationToken);
        var seconds = _time.GetElapsedTime(started).TotalSeconds;
        var report = tally.ToReport(seconds);
        IngestionLog.BatchCompleted(_logger, report.Documents, report.Created, report.Replaced, report.Unchanged, report.Chunks, report.Failed.Count, seconds);
        if (report.Chunks > 0) WarnIfVectorsAreNotSearchable(knowledgeBase);
        if (report.Chunks > 0) _vectorizing?.Wake();
        return report;
    }

    /// <summary>The store never mixes models in a knowledge base's vector search: chunks written with another model's
    /// vectors, or none, wait for a re-embedding. Say so where the user will see it.</summary>
    private void WarnIfVectorsAreNotSearchable(KnowledgeBase knowledgeBase)
    {
        if (knowledgeBase.EmbeddingModel is not { } active) return;
        if (_embedder is null)
            IngestionLog.StoredWithoutVectors(_logger, knowledgeBase.Name, active.Id);
        else if (_embedder.Model.Id != active.Id || (_embedder.Model.Dimension > 0 && _embedder.Model.Dimension != active.Dimension))
            IngestionLog.EmbeddingModelDiffers(_logger, knowledgeBase.Name, active.Id, _embedder.Model.Id);
    }

    private async Task<KnowledgeBase> EnsureKnowledgeBaseAsync(IngestRequest request, CancellationToken cancellationToken)
    {
        var (tenant, name) = (request.Tenant, request.KnowledgeBase);
        if (!KnowledgeBaseNames.IsValid(name))
            throw new ArgumentException($"'{name}' is not a valid knowledge base name: use letters, digits, '-', '_' or '.', at most {KnowledgeBaseNames.MaxLength} characters.", nameof(request));
        var existing = await _store.FindKnowledgeBaseAsync(tenant, name, cancellationToken);
        if (existing is not null) return existing;
        // A job's knowledge base existed when it was enqueued: missing now means deleted, and stays so.
        if (request.Job is { } job)
            throw new JobFencedException($"Ingestion job '{job}': the knowledge base '{name}' was deleted.");
        try
        {
            return await _store.CreateKnowledgeBaseAsync(tenant, name, cancellationToken);
        }
        catch (StoreConflictException)
        {
            // Another writer created it between our read and our insert.
            return await _store.FindKnowledgeBaseAsync(tenant, name, cancellationToken)
                ?? throw new InvalidOperationException($"Knowledge base '{name}' vanished while being created.");
        }
    }

    /// <summary>Checksum, skip-if-unchanged, parse and chunk one source. Never throws for a bad document.</summary>
    private async Task<Prepared> PrepareAsync(IngestRequest request, KnowledgeBase knowledgeBase, IngestSource source, CancellationToken cancellationToken)
    {
        var documentId = DocumentIdentity.ForSource(request.Tenant, knowledgeBase.Id, source.SourceUri);
        using var cpu = new JobCpuMeter(_options.JobCpuBudget, _time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, cpu.Exceeded);
        deadline.CancelAfter(_options.JobTimeout);
        var outer = cancellationToken;
        cancellationToken = deadline.Token;
        try
        {
            if (source.Length > _parsing.MaxFileBytes)
                throw new DocumentRejectedException(RejectionReason.TooLarge,
                    $"The file is {source.Length:N0} bytes; the limit is {_parsing.MaxFileBytes:N0} (Parsing:MaxFileBytes).");

            byte[]? buffered = null;
            string checksum;
            if (source.Length <= _options.InMemoryThresholdBytes)
            {
                buffered = await ReadAllAsync(source, cancellationToken);
                checksum = DocumentIdentity.Checksum(buffered);
            }
            else
            {
                checksum = await HashAsync(source, cancellationToken);
            }

            // A knowledge base that held no documents when the job started has nothing to compare with. The writer
            // decides "unchanged" again under its lock anyway, so skipping the look-up spares a read per document of a
            // first import and changes no outcome (a document stored meanwhile by another job is parsed for nothing).
            var existing = knowledgeBase.DocumentCount == 0 ? null : await _store.GetChecksumAsync(request.Tenant, documentId, cancellationToken);
            if (existing == checksum)
            {
                // Same content, perhaps a new access list: that needs no re-ingest.
                if (request.Allow is { } allow)
                    await _store.SetDocumentAccessAsync(request.Tenant, documentId, allow, cancellationToken);
                return Prepared.Unchanged(source, documentId);
            }

            var (parsed, chunks, children) = await ParseAndChunkAsync(source, buffered, cpu, d => Protect(d, request.Tenant, knowledgeBase.Name), cancellationToken);
            var embeddings = (request.Vectors ?? _options.Vectors) == IngestionVectors.Inline
                ? await EmbedAsync(chunks, string.IsNullOrWhiteSpace(source.Title) ? parsed.Title : source.Title, cancellationToken) : null;
            var tags = DocumentMetadata.MergeTags(request.Tags, parsed.Metadata);
            var childWrites = await ChildWritesAsync(request, knowledgeBase, source, documentId, tags, children, cancellationToken);

            return Prepared.Ready(source, childWrites, new DocumentWrite
            {
                TenantId = request.Tenant,
                KnowledgeBaseId = knowledgeBase.Id,
                DocumentId = documentId,
                Title = string.IsNullOrWhiteSpace(source.Title) ? parsed.Title : source.Title,
                SourceUri = source.SourceUri,
                ContentType = source.ContentType ?? MediaTypes.FromFileName(source.FileName),
                SizeBytes = buffered?.LongLength ?? source.Length,
                Checksum = checksum,
                Language = parsed.Language ?? LanguageDetector.Detect(parsed.Text),
                Tags = tags,
                NormalizedText = parsed.Text,
                Chunks = chunks,
                Embeddings = embeddings,
                Job = request.Job,
                Allow = request.Allow,
            });
        }
        catch (DocumentRejectedException ex)
        {
            IngestionLog.DocumentRejected(_logger, source.DisplayName, ex.Code, ex.Message);
            return Prepared.Failed(source, ex.Code, ex.Message);
        }
        catch (EmbeddingException ex)
        {
            // Nothing is stored without its vectors, so a later run embeds and stores it (it is not "unchanged").
            IngestionLog.DocumentRejected(_logger, source.DisplayName, "embedding-failed", ex.Message);
            return Prepared.Failed(source, "embedding-failed", ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            IngestionLog.DocumentRejected(_logger, source.DisplayName, "unreadable", ex.Message);
            return Prepared.Failed(source, "unreadable", ex.Message);
        }
        catch (OperationCanceledException) when (cpu.IsExceeded && !outer.IsCancellationRequested)
        {
            var message = $"Parsing and chunking the document used more than {_options.JobCpuBudget} of CPU time (Ingestion:JobCpuBudget).";
            IngestionLog.DocumentRejected(_logger, source.DisplayName, "cpu-budget", message);
            return Prepared.Failed(source, DocumentRejectedException.ToCode(RejectionReason.CpuBudget), message);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !outer.IsCancellationRequested)
        {
            var message = $"Ingesting the document took longer than {_options.JobTimeout} (Ingestion:JobTimeout).";
            IngestionLog.DocumentRejected(_logger, source.DisplayName, "timeout", message);
            return Prepared.Failed(source, DocumentRejectedException.ToCode(RejectionReason.Timeout), message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            IngestionLog.DocumentFailed(_logger, source.DisplayName, ex);
            return Prepared.Failed(source, "error", ex.Message);
        }
    }

    private async Task StoreAsync(Prepared item, Tally tally, CancellationToken cancellationToken)
    {
        if (item.Failure is { } failure)
        {
            tally.Fail(item.Source, failure.Reason, failure.Error);
            return;
        }
        if (item.Write is null)
        {
            tally.Record(item.Source, new UpsertResult(item.DocumentId, UpsertOutcome.Unchanged, 0, 0));
            return;
        }
        try
        {
            var result = await _store.UpsertDocumentAsync(item.Write, cancellationToken);
            await StoredAsync(item, result, tally, cancellationToken);
        }
        catch (JobFencedException ex)
        {
            tally.Fail(item.Source, JobFencedException.Code, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            IngestionLog.DocumentFailed(_logger, item.Source.DisplayName, ex);
            tally.Fail(item.Source, "store-error", ex.Message);
        }
    }

    /// <summary>Vectors for the chunks when an embedder is configured, keyed "#ordinal" as the store expects.</summary>
    private async Task<ChunkEmbeddings?> EmbedAsync(IReadOnlyList<ChunkContent> chunks, string title, CancellationToken cancellationToken)
    {
        if (_embedder is null || chunks.Count == 0) return null;
        var vectors = await _embedder.EmbedAsync(chunks.Select(c => EmbeddingText.ForChunk(title, c.Text)).ToList(), EmbeddingKind.Document, cancellationToken);
        if (vectors.Count != chunks.Count)
            throw new EmbeddingException($"The embedder returned {vectors.Count} vectors for {chunks.Count} chunks.", isTransient: false);
        var model = _embedder.Model;
        return new ChunkEmbeddings(model.Id, vectors[0].Length,
            vectors.Select((v, i) => KeyValuePair.Create(new ChunkId("#" + i), v)).ToList());
    }

    /// <summary>Keeps this process's vector index in step with what was just committed.</summary>
    private void UpdateVectorIndex(DocumentWrite write, UpsertResult result, IReadOnlyList<string> allow)
    {
        if (_vectors is null || write.Embeddings is not { } embeddings || embeddings.Model != _vectors.Model) return;
        var now = _time.GetUtcNow();
        var document = new VectorDocument(write.DocumentId, write.TenantId, write.KnowledgeBaseId, write.SourceUri, write.Tags, now, allow);
        _vectors.ReplaceDocument(document, embeddings.Vectors.Select((v, i) => (DocumentIdentity.ForChunk(write.DocumentId, result.Version, i), v.Value)));
    }

    private static async Task<string> HashAsync(IngestSource source, CancellationToken cancellationToken)
    {
        await using var stream = await source.OpenAsync(cancellationToken);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken);
        return Convert.ToHexStringLower(hash);
    }

    private sealed record Prepared(IngestSource Source, DocumentId DocumentId, DocumentWrite? Write, IngestFailure? Failure)
    {
        /// <summary>Documents extracted from this one (an email's attachments), stored after it.</summary>
        public IReadOnlyList<DocumentWrite> Children { get; init; } = [];

        public static Prepared Ready(IngestSource source, IReadOnlyList<DocumentWrite> children, DocumentWrite write) =>
            new(source, write.DocumentId, write, null) { Children = children };
        public static Prepared Unchanged(IngestSource source, DocumentId id) => new(source, id, null, null);
        public static Prepared Failed(IngestSource source, string reason, string error) =>
            new(source, default, null, new IngestFailure(source.DisplayName, reason, error));
    }

    /// <summary>Counts kept by the single writer loop, so no locking is needed.</summary>
    private sealed class Tally(int filesTotal, long bytesTotal, IReadOnlyList<IngestFailure>? rejected)
    {
        private readonly List<IngestFailure> _failed = [.. rejected ?? []];
        private readonly List<IngestedDocument> _items = [];
        private int _created, _replaced, _unchanged, _chunks, _files;
        private long _bytes;

        public void Record(IngestSource source, UpsertResult result)
        {
            _files++;
            _bytes += source.Length;
            switch (result.Outcome)
            {
                case UpsertOutcome.Created: _created++; break;
                case UpsertOutcome.Replaced: _replaced++; break;
                default: _unchanged++; break;
            }
            if (result.Outcome != UpsertOutcome.Unchanged) _chunks += result.ChunkCount;
            LastOutcome = result.Outcome.ToString().ToLowerInvariant();
            var outcome = new KeyValuePair<string, object?>("outcome", LastOutcome);
            QuarryTelemetry.DocumentsIngested.Add(1, outcome);
            QuarryTelemetry.BytesIngested.Add(source.Length);
            if (result.Outcome != UpsertOutcome.Unchanged) QuarryTelemetry.ChunksWritten.Add(result.ChunkCount);
            _items.Add(new IngestedDocument(source.DisplayName, result.DocumentId.Value, result.Outcome, result.Version, result.ChunkCount));
        }

        /// <summary>A child document (an email's attachment): counted as a document, not as a file of the batch.</summary>
        public void RecordChild(string name, UpsertResult result)
        {
            switch (result.Outcome)
            {
                case UpsertOutcome.Created: _created++; break;
                case UpsertOutcome.Replaced: _replaced++; break;
                default: _unchanged++; break;
            }
            if (result.Outcome != UpsertOutcome.Unchanged) _chunks += result.ChunkCount;
            _items.Add(new IngestedDocument(name, result.DocumentId.Value, result.Outcome, result.Version, result.ChunkCount));
        }

        public void Fail(IngestSource source, string reason, string error)
        {
            _files++;
            _bytes += source.Length;
            QuarryTelemetry.DocumentsIngested.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
            _failed.Add(new IngestFailure(source.DisplayName, reason, error));
        }

        public string? LastOutcome { get; private set; }

        public IngestProgress Progress(string current, string? outcome) =>
            new(_files, filesTotal, _bytes, bytesTotal, _chunks, _failed.Count, current, outcome);

        public IngestReport ToReport(double seconds) =>
            new(_created + _replaced + _unchanged, _created, _replaced, _unchanged, _chunks, _bytes, _failed, seconds, _items);
    }
}
