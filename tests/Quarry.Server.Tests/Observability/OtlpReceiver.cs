using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests.Observability;

/// <summary>
/// A loopback OTLP/HTTP trace receiver (<c>POST /v1/traces</c>, <c>application/x-protobuf</c>) that decodes the spans
/// it is sent with a minimal protobuf reader: the fields a test checks (ids, parent, name, string/int attributes,
/// the resource's service.name), from the OTLP trace proto.
/// </summary>
internal sealed class OtlpReceiver : LoopbackHttpServer
{
    public Uri Endpoint => BaseAddress;
    public ConcurrentQueue<ReceivedSpan> Spans { get; } = new();
    public ConcurrentQueue<string> Paths { get; } = new();

    protected override async Task HandleAsync(HttpListenerContext context)
    {
        Paths.Enqueue(context.Request.Url!.AbsolutePath);
        using var buffer = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(buffer);
        foreach (var span in Decode(buffer.ToArray())) Spans.Enqueue(span);
        context.Response.ContentType = "application/x-protobuf";
        context.Response.StatusCode = 200;
    }

    // ExportTraceServiceRequest{1: ResourceSpans{1: Resource{1: KeyValue}, 2: ScopeSpans{2: Span}}}
    private static IEnumerable<ReceivedSpan> Decode(byte[] request)
    {
        foreach (var (field, resourceSpans) in Fields(request))
        {
            if (field != 1) continue;
            string? service = null;
            var spans = new List<byte[]>();
            foreach (var (f, value) in Fields(resourceSpans))
            {
                if (f == 1)
                {
                    foreach (var (rf, kv) in Fields(value))
                        if (rf == 1 && Attribute(kv) is ("service.name", var name)) service = name;
                }
                else if (f == 2)
                {
                    spans.AddRange(Fields(value).Where(x => x.Field == 2).Select(x => x.Value));
                }
            }
            foreach (var span in spans) yield return Span(span, service);
        }
    }

    private static ReceivedSpan Span(byte[] span, string? service)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, value) in Fields(span))
        {
            switch (field)
            {
                case 1: traceId = Convert.ToHexStringLower(value); break;
                case 2: spanId = Convert.ToHexStringLower(value); break;
                case 4: parent = Convert.ToHexStringLower(value); break;
                case 5: name = Encoding.UTF8.GetString(value); break;
                case 9:
                    if (Attribute(value) is var (key, text)) attributes[key] = text;
                    break;
            }
        }
        return new ReceivedSpan(traceId, spanId, parent, name, attributes, service);
    }

    // KeyValue{1: key, 2: AnyValue{1: string, 2: bool, 3: int, 4: double}}
    private static (string Key, string Value)? Attribute(byte[] keyValue)
    {
        string? key = null, value = null;
        foreach (var (field, bytes) in Fields(keyValue))
        {
            if (field == 1) key = Encoding.UTF8.GetString(bytes);
            else if (field == 2)
            {
                foreach (var (vf, vb) in Fields(bytes))
                {
                    value = vf switch
                    {
                        1 => Encoding.UTF8.GetString(vb),
                        2 or 3 => ReadVarint(vb, 0).Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        4 => BitConverter.ToDouble(vb).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        _ => value,
                    };
                }
            }
        }
        return key is null ? null : (key, value ?? "");
    }

    /// <summary>The fields of one message; varints and fixed-width values are returned as their raw bytes.</summary>
    private static List<(int Field, byte[] Value)> Fields(byte[] message)
    {
        var fields = new List<(int, byte[])>();
        var at = 0;
        while (at < message.Length)
        {
            var (tag, next) = ReadVarint(message, at);
            at = next;
            var field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    var start = at;
                    at = ReadVarint(message, at).Next;
                    fields.Add((field, message[start..at]));
                    break;
                case 1:
                    fields.Add((field, message[at..(at + 8)]));
                    at += 8;
                    break;
                case 2:
                    var (length, body) = ReadVarint(message, at);
                    fields.Add((field, message[body..(body + (int)length)]));
                    at = body + (int)length;
                    break;
                case 5:
                    fields.Add((field, message[at..(at + 4)]));
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unsupported protobuf wire type {tag & 7}.");
            }
        }
        return fields;
    }

    private static (ulong Value, int Next) ReadVarint(byte[] bytes, int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return (value, at);
        }
    }

}

internal sealed record ReceivedSpan(string TraceId, string SpanId, string ParentSpanId, string Name, IReadOnlyDictionary<string, string> Attributes, string? Service);
