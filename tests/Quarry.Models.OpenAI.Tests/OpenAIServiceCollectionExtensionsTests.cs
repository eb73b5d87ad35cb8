using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quarry.Embedding;

namespace Quarry.Models.OpenAI.Tests;

public sealed class OpenAIServiceCollectionExtensionsTests
{
    [Fact]
    public void Registers_an_embedder_for_the_configured_endpoint()
    {
        using var services = new ServiceCollection()
            .AddQuarryOpenAIEmbeddings(o =>
            {
                o.Endpoint = new Uri("http://localhost:11434/v1");
                o.Model = "nomic-embed-text";
            })
            .BuildServiceProvider(validateScopes: true);

        // nomic-embed-text's published document prefix changes the stored vectors: the id says so.
        services.GetRequiredService<IEmbedder>().Model.Should().Be(new EmbeddingModel(
            EmbeddingPrefixes.QualifyModelId("openai:nomic-embed-text", "search_document: "), 0));
    }

    [Fact]
    public void A_prefix_longer_than_an_instruction_fails_at_start_up()
    {
        using var services = new ServiceCollection()
            .AddQuarryOpenAIEmbeddings(o => o.QueryPrefix = new string('x', EmbeddingPrefixes.MaxLength + 1))
            .BuildServiceProvider();

        var act = () => services.GetRequiredService<IOptions<OpenAIEmbeddingOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("QueryPrefix");
    }

    [Theory]
    [InlineData("relative/v1", 64, 4, "Endpoint")]
    [InlineData("ftp://example.com/v1", 64, 4, "Endpoint")]
    [InlineData("https://api.openai.com/v1", 0, 4, "BatchSize")]
    [InlineData("https://api.openai.com/v1", 64, 0, "MaxConcurrency")]
    public void Invalid_options_fail_at_start_up(string endpoint, int batchSize, int maxConcurrency, string named)
    {
        using var services = new ServiceCollection()
            .AddQuarryOpenAIEmbeddings(o =>
            {
                o.Endpoint = new Uri(endpoint, UriKind.RelativeOrAbsolute);
                o.BatchSize = batchSize;
                o.MaxConcurrency = maxConcurrency;
            })
            .BuildServiceProvider();

        var act = () => services.GetRequiredService<IOptions<OpenAIEmbeddingOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().WithMessage($"*{named}*");
    }
}
