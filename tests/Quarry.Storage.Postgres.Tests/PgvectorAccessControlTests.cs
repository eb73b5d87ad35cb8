using Microsoft.Extensions.DependencyInjection;
using Quarry.Access;
using Quarry.Documents;
using Quarry.Indexing;
using Quarry.Retrieval;
using Quarry.Storage.Compliance;
using Quarry.Storage.Postgres.Tests.TestSupport;

namespace Quarry.Storage.Postgres.Tests;

/// <summary>Access lists inside pgvector queries, exact and HNSW: randomized callers never get a vector hit they may
/// not see, and exact search returns exactly the caller's top k.</summary>
[Collection(PgvectorCollection.Name)]
public sealed class PgvectorAccessControlTests(PgvectorFixture fixture)
{
    private const int Dimension = 16;

    [Fact]
    public async Task Randomized_callers_get_only_and_exactly_their_top_k()
    {
        var store = fixture.Services.GetRequiredService<IDocumentStore>();
        var tenant = new TenantId("acl-pgvector");
        var model = "acl-pgvector-" + Dimension;
        var random = new Random(808);
        var kb = await store.CreateKnowledgeBaseAsync(tenant, "acl", CancellationToken.None);
        var groups = Enumerable.Range(0, 10).Select(i => "group:g" + i).ToArray();
        var allow = new Dictionary<DocumentId, IReadOnlyList<string>>();
        var vectors = new Dictionary<DocumentId, float[]>();
        for (var d = 0; d < 80; d++)
        {
            IReadOnlyList<string> entries = random.NextDouble() < 0.3 ? [] : AccessList.Normalize(groups.OrderBy(_ => random.Next()).Take(random.Next(1, 3))).Allow!;
            var vector = Enumerable.Range(0, Dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var write = TestDocuments.Write(tenant, kb.Id, $"v/{d}.txt", "vector document " + d) with
            {
                Allow = entries,
                Embeddings = TestDocuments.OrdinalEmbeddings(model, vector),
            };
            await store.UpsertDocumentAsync(write, CancellationToken.None);
            allow[write.DocumentId] = entries;
            vectors[write.DocumentId] = vector;
        }
        var callers = Enumerable.Range(0, 8).Select(u => AccessScope.For("u" + u, groups.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).Select(g => g["group:".Length..])))
            .Append(AccessScope.OpenOnly).ToList();

        foreach (var mode in new[] { VectorSearchMode.Exact, VectorSearchMode.Hnsw })
        {
            for (var i = 0; i < 300; i++)
            {
                var caller = callers[random.Next(callers.Count)];
                var query = Enumerable.Range(0, Dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
                var k = random.Next(1, 11);
                var filter = new SearchFilter { Tenant = tenant, KnowledgeBases = [kb.Id], Access = caller };
                var hits = await fixture.Index.SearchAsync(new VectorSearchRequest(query, model, filter, k), mode, CancellationToken.None);

                Func<DocumentId, bool> MaySee = d => allow[d].Count == 0 || allow[d].Any(e => caller.Principals.Contains(e));
                hits.Where(h => !MaySee(h.DocumentId)).Should().BeEmpty();
                if (mode == VectorSearchMode.Exact)
                {
                    var expected = vectors.Where(v => MaySee(v.Key)).OrderByDescending(v => TestDocuments.Cosine(query, v.Value)).Take(k).Select(v => v.Key);
                    hits.Select(h => h.DocumentId).Should().Equal(expected);
                }
            }
        }
    }
}
