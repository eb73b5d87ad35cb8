using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Quarry.Server.Hosting;

namespace Quarry.Server.Jobs;

/// <summary>
/// The bounded channel between the API and the workers. It carries wake-ups, not jobs: the job store is the durable
/// queue, so a signal dropped because the channel is full only delays a job until the next poll.
/// </summary>
internal sealed class JobSignal(IOptions<WorkerOptions> options)
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(options.Value.SignalCapacity) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Notify() => _channel.Writer.TryWrite(true);

    /// <summary>Waits for a signal or until <paramref name="timeout"/> passes.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_channel.Reader.TryRead(out _)) return;
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await _channel.Reader.WaitToReadAsync(timer.Token);
            _channel.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The poll interval passed.
        }
    }
}
