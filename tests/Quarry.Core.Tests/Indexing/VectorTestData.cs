using Quarry.Documents;
using Quarry.Indexing.Vectors;
using Quarry.Retrieval;

namespace Quarry.Core.Tests.Indexing;

/// <summary>Random documents with varied metadata, and a brute-force reference search that shares no code with the index.</summary>
internal sealed class VectorTestData
{
    public static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly TenantId TenantA = new("tenant-a");
    public static readonly TenantId TenantB = new("tenant-b");
    private static readonly string[] Teams = ["red", "green", "blue"];
    private static readonly string[] Langs = ["en", "fr"];

    public List<VectorEntry> Entries { get; } = [];
    public List<VectorDocument> Documents { get; } = [];

    public static VectorTestData Random(int seed, int dimension, int documents, int chunksPerDocument)
    {
        var random = new Random(seed);
        var data = new VectorTestData();
        for (var d = 0; d < documents; d++)
        {
            var document = MakeDocument(d, random);
            data.Documents.Add(document);
            for (var c = 0; c < chunksPerDocument; c++)
            {
                data.Entries.Add(new VectorEntry(new ChunkId($"{document.Id.Value}_c{c}"), document, RandomVector(random, dimension)));
            }
        }
        return data;
    }

    public static VectorDocument MakeDocument(int d, Random random) => new(
        new DocumentId($"doc{d}"),
        d % 5 == 0 ? TenantB : TenantA,
        new KnowledgeBaseId(d % 3 == 0 ? "kb-1" : "kb-2"),
        $"file:///data/{(d % 4 == 0 ? "policies" : "manuals")}/doc{d}.md",
        new Dictionary<string, string> { ["team"] = Teams[random.Next(Teams.Length)], ["lang"] = Langs[random.Next(Langs.Length)] },
        Epoch.AddDays(d % 30));

    public static float[] RandomVector(Random random, int dimension)
    {
        var v = new float[dimension];
        for (var i = 0; i < v.Length; i++) v[i] = (float)(random.NextDouble() * 2 - 1);
        return v;
    }

    public static IEnumerable<(string Name, SearchFilter Filter)> Filters(IReadOnlyList<VectorDocument> documents)
    {
        yield return ("tenant", SearchFilter.ForTenant(TenantA));
        yield return ("tenant-b", SearchFilter.ForTenant(TenantB));
        yield return ("kb", SearchFilter.ForTenant(TenantA) with { KnowledgeBases = [new KnowledgeBaseId("kb-1")] });
        yield return ("docs", SearchFilter.ForTenant(TenantA) with { Documents = documents.Where(d => d.TenantId == TenantA).Take(7).Select(d => d.Id).Append(documents.First(d => d.TenantId == TenantB).Id).ToArray() });
        yield return ("tags-all", SearchFilter.ForTenant(TenantA) with { TagsAll = new Dictionary<string, string> { ["team"] = "red", ["lang"] = "fr" } });
        yield return ("tags-any", SearchFilter.ForTenant(TenantA) with { TagsAny = [new("team", "blue"), new("lang", "fr")] });
        yield return ("source", SearchFilter.ForTenant(TenantA) with { SourcePrefix = "file:///data/policies/" });
        yield return ("dates", SearchFilter.ForTenant(TenantA) with { UpdatedFrom = Epoch.AddDays(3), UpdatedTo = Epoch.AddDays(9) });
        yield return ("combined", SearchFilter.ForTenant(TenantA) with
        {
            KnowledgeBases = [new KnowledgeBaseId("kb-2")],
            TagsAny = [new("team", "green")],
            UpdatedFrom = Epoch.AddDays(10),
        });
        yield return ("nothing", SearchFilter.ForTenant(new TenantId("nobody")));
    }

    /// <summary>The reference: filter by plain LINQ, cosine in double precision, full sort.</summary>
    public static List<(ChunkId Chunk, double Score)> BruteForce(IEnumerable<VectorEntry> entries, ReadOnlySpan<float> query, SearchFilter filter, int k)
    {
        var q = query.ToArray();
        return entries
            .Where(e => Reference(e.Document, filter))
            .Select(e => (e.ChunkId, Cosine(q, e.Vector.Span.ToArray())))
            .OrderByDescending(x => x.Item2)
            .Take(k)
            .ToList();
    }

    public static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return dot / Math.Sqrt(na) / Math.Sqrt(nb);
    }

    private static bool Reference(VectorDocument d, SearchFilter f) =>
        d.TenantId == f.Tenant
        && (f.KnowledgeBases.Count == 0 || f.KnowledgeBases.Contains(d.KnowledgeBaseId))
        && (f.Documents.Count == 0 || f.Documents.Contains(d.Id))
        && f.TagsAll.All(t => d.Tags.TryGetValue(t.Key, out var v) && v == t.Value)
        && (f.TagsAny.Count == 0 || f.TagsAny.Any(t => d.Tags.TryGetValue(t.Key, out var v) && v == t.Value))
        && (f.SourcePrefix is null || d.SourceUri.StartsWith(f.SourcePrefix, StringComparison.Ordinal))
        && (f.UpdatedFrom is null || d.UpdatedAt >= f.UpdatedFrom)
        && (f.UpdatedTo is null || d.UpdatedAt <= f.UpdatedTo);
}
