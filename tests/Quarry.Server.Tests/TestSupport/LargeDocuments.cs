using System.Text;
using Quarry.Core.Tests.TestSupport;

namespace Quarry.Server.Tests.TestSupport;

/// <summary>Large Markdown files, each a share of the FastAPI docs in a different order under its own title, so that
/// each takes long enough to ingest for a kill or a SIGTERM to land mid-job.</summary>
internal static class LargeDocuments
{
    /// <param name="share">The part of the docs each file holds: 2 for half, 4 for a quarter.</param>
    public static List<string> Write(string folder, int count, int share)
    {
        var sources = Directory.EnumerateFiles(SharedData.Path("datasets", "kb-fastapi-docs", "docs"), "*.md", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal).ToList();
        var names = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var text = new StringBuilder($"# Collection {i}\n\n");
            foreach (var source in sources.Skip(i * 7).Concat(sources.Take(i * 7)).Take(sources.Count / share))
                text.Append(File.ReadAllText(source)).Append("\n\n");
            var name = $"collection-{i}.md";
            File.WriteAllText(Path.Combine(folder, name), text.ToString());
            names.Add(name);
        }
        return names;
    }
}
