using Microsoft.Extensions.DependencyInjection;
using Quarry.Embedding;

namespace Quarry.Storage.Compliance;

/// <summary>The embedding cache as a host composes it (an embedder, a store, AddQuarryEmbeddingCache), twice on the
/// same storage: what a restart or a second replica sees. Each backend names the case after what it stands for.</summary>
public static class EmbeddingCacheReuse
{
    /// <param name="addStorage">Registers the backend on storage that outlives each host.</param>
    /// <param name="because">Why the second host finds every vector, for the assertion message.</param>
    public static async Task SecondHostCallsTheModelZeroTimesAsync(Action<IServiceCollection> addStorage, string because)
    {
        var inner = new CountingEmbedder();
        string[] texts = ["The quick brown fox", "jumps over", "the lazy dog", "jumps over"];
        IReadOnlyList<ReadOnlyMemory<float>> first;
        await using (var host = Host(inner, addStorage))
            first = await host.GetRequiredService<IEmbedder>().EmbedAsync(texts, EmbeddingKind.Document, CancellationToken.None);
        inner.EmbeddedTexts.Should().Be(3, "the repeated text is embedded once");

        IReadOnlyList<ReadOnlyMemory<float>> second;
        await using (var host = Host(inner, addStorage))
            second = await host.GetRequiredService<IEmbedder>().EmbedAsync(texts, EmbeddingKind.Document, CancellationToken.None);

        inner.Calls.Should().Be(1, because);
        second.Select(v => v.ToArray()).Should().BeEquivalentTo(first.Select(v => v.ToArray()), o => o.WithStrictOrdering());
    }

    private static ServiceProvider Host(IEmbedder inner, Action<IServiceCollection> addStorage)
    {
        var services = new ServiceCollection();
        services.AddSingleton(inner);
        addStorage(services);
        services.AddQuarryEmbeddingCache();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
