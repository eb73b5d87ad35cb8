using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Quarry.Parsing;

/// <summary>
/// JSON (and JSON Lines) as text: top-level keys become headings, arrays of flat objects become tables (records), other
/// values become "key.path: value" paragraphs so every string keeps the context of where it sits.
/// </summary>
internal sealed class JsonParser(IOptions<ParsingOptions> options) : IDocumentParser
{
    private const int MaxDepth = 64;
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = MaxDepth,
    };

    public IReadOnlyCollection<string> Extensions { get; } = [".json", ".jsonl", ".ndjson"];
    public IReadOnlyCollection<string> ContentTypes { get; } = ["application/json", "application/x-ndjson", "application/jsonl"];

    public async Task<ParsedDocument> ParseAsync(ParserInput input, CancellationToken cancellationToken)
    {
        var bytes = await ParserInputReader.ReadAllBytesAsync(input, options.Value.MaxFileBytes, cancellationToken).ConfigureAwait(false);
        var text = TextDecoding.Decode(bytes, input.FileName);
        var lines = input.FileName.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)
            || input.FileName.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase)
            || input.ContentType is "application/x-ndjson" or "application/jsonl";
        var builder = new DocumentBuilder();
        try
        {
            if (lines)
            {
                var documents = text.Split('\n').Where(l => l.Trim().Length > 0).Select(l => JsonDocument.Parse(l, DocumentOptions)).ToList();
                try
                {
                    EmitArray(builder, documents.Select(d => d.RootElement).ToList(), "", 0);
                }
                finally
                {
                    documents.ForEach(d => d.Dispose());
                }
            }
            else
            {
                using var document = JsonDocument.Parse(text, DocumentOptions);
                EmitTop(builder, document.RootElement);
            }
        }
        catch (JsonException ex)
        {
            throw new DocumentRejectedException(RejectionReason.Corrupt,
                $"'{input.FileName}' is not valid JSON (line {ex.LineNumber + 1}): {ex.Message}", ex);
        }
        return builder.Build(fallbackTitle: ParserInputReader.FallbackTitle(input.FileName));
    }

    private static void EmitTop(DocumentBuilder builder, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            Emit(builder, root, "", 1);
            return;
        }
        foreach (var property in root.EnumerateObject())
        {
            if (IsScalar(property.Value))
            {
                builder.AddParagraph($"{property.Name}: {Scalar(property.Value)}");
                continue;
            }
            builder.AddHeading(property.Name, 1);
            Emit(builder, property.Value, property.Name, 2);
        }
    }

    private static void Emit(DocumentBuilder builder, JsonElement element, string path, int headingLevel)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var childPath = path.Length == 0 ? property.Name : path + "." + property.Name;
                    if (IsScalar(property.Value)) builder.AddParagraph($"{childPath}: {Scalar(property.Value)}");
                    else Emit(builder, property.Value, childPath, headingLevel + 1);
                }
                break;
            case JsonValueKind.Array:
                EmitArray(builder, element.EnumerateArray().ToList(), path, headingLevel);
                break;
            default:
                builder.AddParagraph(path.Length == 0 ? Scalar(element) : $"{path}: {Scalar(element)}");
                break;
        }
    }

    private static void EmitArray(DocumentBuilder builder, List<JsonElement> items, string path, int headingLevel)
    {
        if (items.Count == 0) return;
        if (items.TrueForAll(IsScalar))
        {
            foreach (var item in items) builder.AddListItem(Scalar(item));
            builder.EndList();
            return;
        }
        // Records: objects whose values are (mostly) scalars read best as table rows with their keys as the header.
        if (items.TrueForAll(i => i.ValueKind == JsonValueKind.Object && i.EnumerateObject().All(p => IsScalar(p.Value) || IsScalarArray(p.Value))))
        {
            var keys = items.SelectMany(i => i.EnumerateObject().Select(p => p.Name)).Distinct(StringComparer.Ordinal).ToList();
            var rows = new List<IReadOnlyList<string>> { keys };
            foreach (var item in items)
            {
                rows.Add(keys.Select(k => item.TryGetProperty(k, out var v) ? Cell(v) : "").ToList());
            }
            builder.AddTable(rows);
            return;
        }
        for (var i = 0; i < items.Count; i++) Emit(builder, items[i], $"{path}[{i}]", headingLevel);
    }

    private static bool IsScalar(JsonElement e) => e.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array);

    private static bool IsScalarArray(JsonElement e) => e.ValueKind == JsonValueKind.Array && e.EnumerateArray().All(IsScalar);

    private static string Cell(JsonElement e) =>
        e.ValueKind == JsonValueKind.Array ? string.Join(", ", e.EnumerateArray().Select(Scalar)) : Scalar(e);

    private static string Scalar(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => Text(e.GetString() ?? ""),
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        JsonValueKind.Number => e.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => e.GetRawText(),
    };

    /// <summary>
    /// Embedded images and other base64 payloads are not text: indexing them floods the knowledge base with chunks
    /// that match nothing a person asks (one 1 MB export produced 800 of them), so they become a short placeholder.
    /// </summary>
    internal static string Text(string value)
    {
        if (value.Length < MinBlobChars) return value;
        var payload = value.AsSpan();
        if (payload.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var comma = payload.IndexOf(',');
            if (comma > 0 && payload[..comma].EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
                return $"(embedded {payload[5..comma].ToString().Replace(";base64", "", StringComparison.OrdinalIgnoreCase)} data omitted)";
        }
        foreach (var c in payload)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' or '-' or '_')) return value;
        }
        return $"(binary data omitted, {value.Length:N0} characters)";
    }

    private const int MinBlobChars = 256;
}
