using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Quarry.Server.Privacy;

/// <summary>
/// <see cref="JsonMasking"/>'s rules applied in one forward pass over a buffered response, reader to writer: the same
/// strings are masked (every value except the verbatim properties'), without building a document tree and writing
/// it out again, which on a search response cost more CPU than the search.
/// </summary>
internal static class JsonStreamMasking
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // As the server writes JSON (QuarryServer.ConfigureJson): masked and unmasked responses read the same.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>Writes <paramref name="json"/> with its strings masked to <paramref name="output"/>; throws
    /// <see cref="JsonException"/> (having written nothing the caller should keep) when it is not JSON.</summary>
    public static void Mask(ReadOnlySpan<byte> json, IBufferWriter<byte> output, Func<string, string> mask)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        // For each open container: whether it is an array, and the property it hangs from (an array's strings are
        // judged by that name, as JsonMasking does).
        var open = new Stack<(bool Array, string? Property)>();
        string? property = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    writer.WriteStartObject();
                    open.Push((false, null));
                    break;
                case JsonTokenType.StartArray:
                    writer.WriteStartArray();
                    open.Push((true, open.Count == 0 ? null : open.Peek().Array ? open.Peek().Property : property));
                    break;
                case JsonTokenType.EndObject:
                    writer.WriteEndObject();
                    open.Pop();
                    break;
                case JsonTokenType.EndArray:
                    writer.WriteEndArray();
                    open.Pop();
                    break;
                case JsonTokenType.PropertyName:
                    property = reader.GetString()!;
                    writer.WritePropertyName(property);
                    break;
                case JsonTokenType.String:
                    var text = reader.GetString()!;
                    writer.WriteStringValue(Masks(open, property, text) ? mask(text) : text);
                    break;
                case JsonTokenType.Number:
                    writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                    break;
                case JsonTokenType.True:
                case JsonTokenType.False:
                    writer.WriteBooleanValue(reader.TokenType == JsonTokenType.True);
                    break;
                case JsonTokenType.Null:
                    writer.WriteNullValue();
                    break;
            }
        }
        if (open.Count != 0 || reader.BytesConsumed == 0) throw new JsonException("The response is not one complete JSON value.");
    }

    private static bool Masks(Stack<(bool Array, string? Property)> open, string? property, string text)
    {
        if (open.Count == 0) return false;
        var (array, arrayProperty) = open.Peek();
        return array ? arrayProperty is null || !JsonMasking.IsVerbatim(arrayProperty) : text.Length > 0 && !JsonMasking.IsVerbatim(property!);
    }
}
