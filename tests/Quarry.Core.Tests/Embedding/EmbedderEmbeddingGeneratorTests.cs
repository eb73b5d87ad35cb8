using Microsoft.Extensions.AI;
using Quarry.Embedding;

namespace Quarry.Core.Tests.Embedding;

/// <summary>Quarry's embedder handed to app code as a Microsoft.Extensions.AI generator, and back.</summary>
public sealed class EmbedderEmbeddingGeneratorTests
{
    [Fact]
    public async Task App_code_gets_quarrys_vectors_documents_by_default_and_queries_when_asked()
    {
        var embedder = new RecordingEmbedder();
        var generator = embedder.AsEmbeddingGenerator();

        var documents = await generator.GenerateAsync(["alpha", "beta"]);
        var queries = await generator.GenerateAsync(["alpha"], new EmbeddingGenerationOptions { AdditionalProperties = new() { ["quarry.kind"] = "query" } });

        embedder.Kinds.Should().Equal(EmbeddingKind.Document, EmbeddingKind.Query);
        documents.Select(e => e.Vector.ToArray()).Should().BeEquivalentTo([RecordingEmbedder.Vector("alpha", EmbeddingKind.Document), RecordingEmbedder.Vector("beta", EmbeddingKind.Document)]);
        queries[0].Vector.ToArray().Should().Equal(RecordingEmbedder.Vector("alpha", EmbeddingKind.Query));
        queries[0].ModelId.Should().Be("test:recording");
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>()!;
        (metadata.DefaultModelId, metadata.DefaultModelDimensions).Should().Be(("test:recording", 3));
    }

    [Fact]
    public async Task The_generator_registered_back_as_quarrys_embedder_keeps_the_model_and_the_vector_space()
    {
        var generator = new RecordingEmbedder().AsEmbeddingGenerator();
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>()!;
        var embedder = new EmbeddingGeneratorEmbedder(generator, new EmbeddingModel(metadata.DefaultModelId!, metadata.DefaultModelDimensions!.Value), "", "");

        var vectors = await embedder.EmbedAsync(["gamma"], EmbeddingKind.Document, CancellationToken.None);

        embedder.Model.Should().Be(new EmbeddingModel("test:recording", 3));
        vectors[0].ToArray().Should().Equal(RecordingEmbedder.Vector("gamma", EmbeddingKind.Document));
    }

    private sealed class RecordingEmbedder : IEmbedder
    {
        public List<EmbeddingKind> Kinds { get; } = [];
        public EmbeddingModel Model { get; } = new("test:recording", 3);

        public static float[] Vector(string text, EmbeddingKind kind) => [text.Length, text[0], kind == EmbeddingKind.Query ? 1 : 0];

        public Task<IReadOnlyList<ReadOnlyMemory<float>>> EmbedAsync(IReadOnlyList<string> texts, EmbeddingKind kind, CancellationToken cancellationToken)
        {
            Kinds.Add(kind);
            return Task.FromResult<IReadOnlyList<ReadOnlyMemory<float>>>([.. texts.Select(t => new ReadOnlyMemory<float>(Vector(t, kind)))]);
        }
    }
}
