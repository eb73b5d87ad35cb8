using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Quarry.Documents;
using Quarry.Privacy;

namespace Quarry.Server.Privacy;

/// <summary>
/// Masks a server-sent event stream event by event. Answer text arrives in deltas (<c>event: delta</c> of /v1/ask,
/// <c>choices[0].delta.content</c> of chat completion chunks); those go through one <see cref="StreamingPiiMasker"/>,
/// so a value split across deltas is still masked. Text it holds back is sent as one more delta before the next
/// event that is not a delta. Every other event is masked whole.
/// </summary>
internal sealed class SseMasking(PrivacyMasker masker, TenantId tenant)
{
    private readonly StreamingPiiMasker _stream = masker.Stream(tenant);
    private JsonObject? _lastChunk;

    /// <summary>The events to send for one received event block (without its blank-line terminator).</summary>
    public string Process(string block)
    {
        string? name = null;
        var data = new StringBuilder();
        foreach (var line in block.Split('\n'))
        {
            if (line.StartsWith("event:", StringComparison.Ordinal)) name = line[6..].Trim();
            else if (line.StartsWith("data:", StringComparison.Ordinal)) data.Append(data.Length > 0 ? "\n" : "").Append(line[5..].TrimStart());
        }
        var payload = data.ToString();
        if (payload == "[DONE]") return Flush() + Event(name, payload);
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(payload);
        }
        catch (JsonException)
        {
            return Flush() + Event(name, masker.Mask(payload, tenant));
        }

        if (name == "delta" && json?["text"] is JsonValue text && text.TryGetValue<string>(out var piece))
        {
            var ready = _stream.Push(piece);
            return ready.Length == 0 ? "" : Event(name, new JsonObject { ["text"] = ready }.ToJsonString());
        }
        if (name is null && ChunkContent(json) is { } content)
        {
            _lastChunk = (JsonObject)json!;
            var ready = _stream.Push(content);
            if (ready.Length == 0) return "";
            var chunk = (JsonObject)json!.DeepClone();
            SetContent(chunk, ready);
            return Event(null, chunk.ToJsonString());
        }
        var before = Flush();
        JsonMasking.Mask(json, masker, tenant);
        return before + Event(name, json?.ToJsonString() ?? payload);
    }

    /// <summary>What is still held back, as a delta event of the stream's own kind.</summary>
    public string Flush()
    {
        var rest = _stream.Flush();
        if (rest.Length == 0) return "";
        if (_lastChunk is null) return Event("delta", new JsonObject { ["text"] = rest }.ToJsonString());
        var chunk = (JsonObject)_lastChunk.DeepClone();
        SetContent(chunk, rest);
        return Event(null, chunk.ToJsonString());
    }

    /// <summary>The content of a chat completion chunk that carries only text (not the role opener, not the finish).</summary>
    private static string? ChunkContent(JsonNode? json)
    {
        if (json is not JsonObject obj || obj["object"]?.GetValue<string>() != "chat.completion.chunk") return null;
        if (obj["choices"] is not JsonArray { Count: 1 } choices || choices[0] is not JsonObject choice) return null;
        if (choice["finish_reason"] is JsonValue) return null;
        if (choice["delta"] is not JsonObject delta || delta.ContainsKey("role")) return null;
        return delta["content"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
    }

    private static void SetContent(JsonObject chunk, string content)
    {
        var choice = (JsonObject)((JsonArray)chunk["choices"]!)[0]!;
        choice["delta"] = new JsonObject { ["content"] = content };
        choice["finish_reason"] = null;
    }

    private static string Event(string? name, string data)
    {
        var text = new StringBuilder();
        if (name is not null) text.Append("event: ").Append(name).Append('\n');
        foreach (var line in data.Split('\n')) text.Append("data: ").Append(line).Append('\n');
        return text.Append('\n').ToString();
    }
}
