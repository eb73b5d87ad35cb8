using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quarry.Diagnostics;

namespace Quarry.Audit;

/// <summary>
/// The request path's side of the audit: maps a completed request (or an administrative event) to its record and
/// queues it in a bounded channel for <see cref="AuditWriter"/>. It never waits: a full queue drops the record, counts
/// it, and (fail-closed) marks the trail failing so that the next answered requests are refused.
/// </summary>
internal sealed class AuditTrail : IRequestObserver, IAuditTrail, IAuditStatus
{
    private readonly Channel<PendingRecord> _channel;
    private readonly AuditOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AuditTrail> _logger;
    private volatile bool _failing;

    public AuditTrail(IOptions<AuditOptions> options, TimeProvider time, ILogger<AuditTrail> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _channel = Channel.CreateBounded<PendingRecord>(new BoundedChannelOptions(_options.ChannelCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
    }

    public AuditFailureMode FailureMode => _options.FailureMode;

    public bool IsFailing => _failing;

    internal ChannelReader<PendingRecord> Reader => _channel.Reader;

    internal AuditOptions Options => _options;

    public void Completed(RequestFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (!_options.Enabled) return;
        if (AuditRecordMapper.FromFacts(facts, _options, _time.GetUtcNow()) is { } record) Enqueue(record);
    }

    public void Record(AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        if (!_options.Enabled) return;
        Enqueue(AuditRecordMapper.FromEvent(auditEvent, _time.GetUtcNow()));
    }

    private void Enqueue(AuditRecord record)
    {
        // TryWrite on a bounded channel in Wait mode returns false when full instead of waiting.
        if (_channel.Writer.TryWrite(new PendingRecord(record, Stopwatch.GetTimestamp()))) return;
        AuditMetrics.Dropped.Add(1);
        AuditLog.QueueFull(_logger, _options.ChannelCapacity, record.Route);
        if (_options.FailureMode == AuditFailureMode.Closed) _failing = true;
    }

    /// <summary>No more records are accepted; the writer drains what is queued.</summary>
    internal void Complete() => _channel.Writer.TryComplete();

    internal void SetFailing(bool failing) => _failing = failing;
}

internal readonly record struct PendingRecord(AuditRecord Record, long EnqueuedAt);
