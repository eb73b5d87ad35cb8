using System.Globalization;

namespace Quarry.Generation;

/// <summary>
/// One attempt at a provider's stream, with its own cancellation: the caller's token, the attempt timeout (while
/// opening) and an idle watchdog all cancel the token the provider reads with, so that giving up on the stream stops
/// the upstream request rather than leaving it running.
/// </summary>
internal sealed class ProviderStream : IAsyncDisposable
{
    private readonly CancellationTokenSource _cancel;
    private readonly ITimer _watchdog;
    private readonly TimeSpan _idleTimeout;
    private readonly CancellationToken _caller;
    private readonly IAsyncEnumerator<ChatUpdate> _updates;
    private readonly string _modelId;
    private volatile bool _stalled;

    public ProviderStream(IChatModel model, ChatRequest request, TimeSpan idleTimeout, TimeProvider time, CancellationToken caller)
    {
        _caller = caller;
        _idleTimeout = idleTimeout;
        _modelId = model.ModelId;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(caller);
        _watchdog = time.CreateTimer(static state => ((ProviderStream)state!).OnIdle(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _updates = model.StreamAsync(request, _cancel.Token).GetAsyncEnumerator(_cancel.Token);
    }

    public ChatUpdate Current => _updates.Current;

    /// <summary>Updates received so far.</summary>
    public int Received { get; private set; }

    /// <summary>Whether the stream produced anything before ending (false: it ended at once).</summary>
    public bool HasCurrent { get; private set; }

    /// <summary>Stops the upstream request (the attempt timed out).</summary>
    public void Abort() => TryCancel();

    public async ValueTask<bool> MoveNextAsync()
    {
        _watchdog.Change(_idleTimeout, Timeout.InfiniteTimeSpan);
        try
        {
            var more = await _updates.MoveNextAsync();
            HasCurrent = more;
            if (more)
                Received++;
            return more;
        }
        catch (Exception e) when (_stalled && !_caller.IsCancellationRequested)
        {
            throw new ChatStreamStalledException(
                $"The stream from {_modelId} sent nothing for {_idleTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s after {Received} update(s).", e);
        }
        finally
        {
            _watchdog.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnIdle()
    {
        _stalled = true;
        TryCancel();
    }

    private void TryCancel()
    {
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The stream was already given up.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _watchdog.DisposeAsync();
        try
        {
            await _updates.DisposeAsync();
        }
        finally
        {
            _cancel.Dispose();
        }
    }
}
