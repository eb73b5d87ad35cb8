using System.Threading.Channels;

namespace Quarry.Vectorizing;

/// <summary>Wakes the background stage when ingestion stored chunks, instead of waiting for its next sweep.</summary>
public sealed class VectorizingSignal
{
    // One pending wake is enough: the stage looks at every knowledge base when it runs.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Wake() => _wake.Writer.TryWrite(true);

    /// <returns>True when woken, false when <paramref name="timeout"/> passed.</returns>
    internal async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            return await _wake.Reader.ReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
