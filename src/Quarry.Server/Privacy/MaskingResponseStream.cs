using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Quarry.Documents;
using Quarry.Privacy;

namespace Quarry.Server.Privacy;

/// <summary>
/// Stands in for the response body while an endpoint writes: JSON is collected and masked whole when the endpoint
/// finishes; an event stream is masked and passed on event by event (each flushed at once, so streaming stays
/// streaming); anything else passes through.
/// </summary>
internal sealed class MaskingResponseStream(Stream inner, HttpResponse response, PrivacyMasker masker, MaskMemo memo, TenantId tenant) : Stream
{
    private enum Kind { Undecided, Json, Events, Passthrough }

    private readonly MemoryStream _buffer = new();
    private Kind _kind;
    private SseMasking? _events;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Synchronous writes are disabled.");
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Decide() == Kind.Passthrough)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            return;
        }
        _buffer.Write(buffer.Span);
        if (_kind == Kind.Events) await PassCompleteEventsAsync(cancellationToken);
    }

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        _kind is Kind.Passthrough or Kind.Events ? inner.FlushAsync(cancellationToken) : Task.CompletedTask;

    public override void Flush()
    {
    }

    /// <summary>After the endpoint: the masked JSON, or the rest of the event stream.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_kind == Kind.Json && _buffer.Length > 0)
        {
            ReadOnlyMemory<byte> output;
            var masked = new ArrayBufferWriter<byte>((int)_buffer.Length + 256);
            try
            {
                JsonStreamMasking.Mask(_buffer.GetBuffer().AsSpan(0, (int)_buffer.Length), masked, text => memo.Mask(text, tenant));
                output = masked.WrittenMemory;
            }
            catch (JsonException)
            {
                output = Encoding.UTF8.GetBytes(masker.Mask(Encoding.UTF8.GetString(_buffer.GetBuffer(), 0, (int)_buffer.Length), tenant));
            }
            if (!response.HasStarted) response.ContentLength = output.Length;
            await inner.WriteAsync(output, cancellationToken);
        }
        else if (_kind == Kind.Events)
        {
            await PassCompleteEventsAsync(cancellationToken);
            var rest = Encoding.UTF8.GetString(_buffer.ToArray());
            var tail = (rest.Trim().Length > 0 ? _events!.Process(rest.TrimEnd('\n')) : "") + _events!.Flush();
            if (tail.Length > 0) await inner.WriteAsync(Encoding.UTF8.GetBytes(tail), cancellationToken);
            await inner.FlushAsync(cancellationToken);
        }
    }

    private Kind Decide()
    {
        if (_kind != Kind.Undecided) return _kind;
        var type = response.ContentType ?? "";
        if (type.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            _kind = Kind.Events;
            _events = new SseMasking(masker, tenant);
        }
        else if (type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            _kind = Kind.Json;
            // The masked body has another length; it is set when known.
            response.ContentLength = null;
        }
        else
        {
            _kind = Kind.Passthrough;
        }
        return _kind;
    }

    private async Task PassCompleteEventsAsync(CancellationToken cancellationToken)
    {
        var text = Encoding.UTF8.GetString(_buffer.GetBuffer(), 0, (int)_buffer.Length);
        var end = text.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (end < 0) return;
        var output = new StringBuilder();
        foreach (var block in text[..end].Split("\n\n"))
            if (block.Length > 0) output.Append(_events!.Process(block));
        var rest = text[(end + 2)..];
        _buffer.SetLength(0);
        _buffer.Write(Encoding.UTF8.GetBytes(rest));
        if (output.Length == 0) return;
        await inner.WriteAsync(Encoding.UTF8.GetBytes(output.ToString()), cancellationToken);
        await inner.FlushAsync(cancellationToken);
    }
}
