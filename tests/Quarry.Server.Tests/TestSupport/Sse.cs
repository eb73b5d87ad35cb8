using System.Text.Json;

namespace Quarry.Server.Tests.TestSupport;

/// <summary>A minimal server-sent events reader (event name + JSON data), as a browser's EventSource parses them.</summary>
internal static class Sse
{
    public sealed record Event(string Name, JsonElement Data);

    public static async Task<IReadOnlyList<Event>> ReadAllAsync(HttpResponseMessage response, CancellationToken cancellationToken = default)
    {
        var events = new List<Event>();
        await foreach (var e in ReadAsync(response, cancellationToken)) events.Add(e);
        return events;
    }

    public static async IAsyncEnumerable<Event> ReadAsync(HttpResponseMessage response, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        string name = "message", data = "";
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    using var json = JsonDocument.Parse(data);
                    yield return new Event(name, json.RootElement.Clone());
                }
                (name, data) = ("message", "");
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data += line[6..];
        }
    }
}
