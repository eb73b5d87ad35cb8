using System.Diagnostics;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Quarry.Server.Tests.Deploy;

/// <summary>The checkout's <c>deploy/</c> folder, the tools that render it, and its YAML as JSON nodes.</summary>
internal static class DeployFiles
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([RepositoryRoot, "deploy", .. parts]);

    /// <summary>The full path of a tool on PATH, or null.</summary>
    public static string? Tool(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => System.IO.Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryRoot };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Every document of a YAML stream, as JSON (scalars stay strings, as YAML gives them).</summary>
    public static List<JsonNode> ParseYamlStream(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var deserializer = new DeserializerBuilder().Build();
        var documents = new List<JsonNode>();
        parser.Consume<StreamStart>();
        while (parser.Accept<DocumentStart>(out _))
        {
            var document = deserializer.Deserialize<object?>(parser);
            if (ToJson(document) is { } node) documents.Add(node);
        }
        return documents;
    }

    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        IDictionary<object, object?> map => new JsonObject(map.Select(e => KeyValuePair.Create(e.Key.ToString()!, ToJson(e.Value)))),
        IList<object?> list => new JsonArray([.. list.Select(ToJson)]),
        _ => JsonValue.Create(value.ToString()),
    };

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Quarry.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException("The repository root (Quarry.slnx) is not above " + AppContext.BaseDirectory);
    }
}
