using Microsoft.Extensions.DependencyInjection;
using Quarry.Embedding;
using Quarry.Storage.Compliance;
using Quarry.Storage.Postgres.Tests.TestSupport;

namespace Quarry.Storage.Postgres.Tests;

/// <summary>The embedding cache as a host composes it: an embedder, the PostgreSQL store, AddQuarryEmbeddingCache. The
/// cache's own contract is checked in <see cref="PostgresEmbeddingCacheComplianceTests"/>.</summary>
public sealed class PostgresEmbeddingCacheTests : IAsyncLifetime
{
    private static CancellationToken Ct => CancellationToken.None;

    private readonly CountingEmbedder _inner = new();
    private string _connectionString = null!;

    public async Task InitializeAsync() => _connectionString = await PostgresServer.CreateDatabaseAsync();

    public Task DisposeAsync() => PostgresServer.DropDatabaseAsync(_connectionString);

    private ServiceProvider Host()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IEmbedder>(_inner);
        services.AddQuarryPostgresStorage(o => o.ConnectionString = _connectionString);
        services.AddQuarryEmbeddingCache();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public async Task Re_embedding_the_same_texts_from_another_replica_calls_the_model_zero_times()
    {
        string[] texts = ["The quick brown fox", "jumps over", "the lazy dog", "jumps over"];
        IReadOnlyList<ReadOnlyMemory<float>> first;
        await using (var host = Host())
            first = await host.GetRequiredService<IEmbedder>().EmbedAsync(texts, EmbeddingKind.Document, Ct);
        _inner.EmbeddedTexts.Should().Be(3, "the repeated text is embedded once");

        IReadOnlyList<ReadOnlyMemory<float>> second;
        await using (var host = Host())
            second = await host.GetRequiredService<IEmbedder>().EmbedAsync(texts, EmbeddingKind.Document, Ct);

        _inner.Calls.Should().Be(1, "every vector now comes from the database");
        second.Select(v => v.ToArray()).Should().BeEquivalentTo(first.Select(v => v.ToArray()), o => o.WithStrictOrdering());
    }
}
