namespace Quarry.Models.Local.Models;

/// <summary>
/// Runs one forward pass at a time over everything callers have asked for meanwhile. Concurrent callers (ingestion
/// workers, queries) each sending a few texts would otherwise each split their own small pass across all cores,
/// oversubscribing them and paying a fork and join per matrix multiply; merged, the texts of several callers form one
/// batch that the encoder splits by sequence, one group per core.
/// </summary>
internal sealed class EmbeddingQueue(ITextEmbeddingModel model, int maxTextsPerPass = 256)
{
    private readonly Lock _gate = new();
    private readonly Queue<Request> _pending = new();
    private bool _running;

    public ITextEmbeddingModel Model => model;

    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) return Task.FromResult(Array.Empty<float[]>());
        var request = new Request(texts, cancellationToken);
        bool start;
        lock (_gate)
        {
            _pending.Enqueue(request);
            start = !_running;
            _running = true;
        }
        if (start) _ = Task.Run(Drain, CancellationToken.None);
        return request.Result.Task.WaitAsync(cancellationToken);
    }

    private void Drain()
    {
        while (true)
        {
            var batch = new List<Request>();
            lock (_gate)
            {
                var texts = 0;
                while (_pending.TryPeek(out var next) && (batch.Count == 0 || texts + next.Texts.Count <= maxTextsPerPass))
                {
                    batch.Add(_pending.Dequeue());
                    texts += next.Texts.Count;
                }
                if (batch.Count == 0)
                {
                    _running = false;
                    return;
                }
            }
            Run(batch);
        }
    }

    private void Run(List<Request> batch)
    {
        batch.RemoveAll(r => r.Cancellation.IsCancellationRequested && r.Result.TrySetCanceled(r.Cancellation));
        if (batch.Count == 0) return;
        try
        {
            // A pass shared by several callers is not cancelled by one of them: each stops waiting on its own token.
            var cancellation = batch.Count == 1 ? batch[0].Cancellation : CancellationToken.None;
            var vectors = model.Embed(batch.Count == 1 ? batch[0].Texts : [.. batch.SelectMany(r => r.Texts)], cancellation);
            var offset = 0;
            foreach (var request in batch)
            {
                request.Result.TrySetResult(vectors[offset..(offset + request.Texts.Count)]);
                offset += request.Texts.Count;
            }
        }
        catch (OperationCanceledException) when (batch.Count == 1 && batch[0].Cancellation.IsCancellationRequested)
        {
            batch[0].Result.TrySetCanceled(batch[0].Cancellation);
        }
        catch (Exception e)
        {
            foreach (var request in batch) request.Result.TrySetException(e);
        }
    }

    private sealed record Request(IReadOnlyList<string> Texts, CancellationToken Cancellation)
    {
        public TaskCompletionSource<float[][]> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
