using Quarry.Embedding;

namespace Quarry.Core.Tests.Embedding;

public sealed class EmbeddingTextTests
{
    [Theory]
    [InlineData("Tides", "The Moon pulls on the oceans.", "Tides\nThe Moon pulls on the oceans.")]
    [InlineData("  Tides ", "The Moon pulls.", "Tides\nThe Moon pulls.")]
    [InlineData("Tides", "# Tides  The Moon pulls.", "# Tides  The Moon pulls.")]
    [InlineData("tides", "Tides are caused by the Moon.", "Tides are caused by the Moon.")]
    [InlineData("", "The Moon pulls.", "The Moon pulls.")]
    [InlineData(null, "The Moon pulls.", "The Moon pulls.")]
    public void The_title_goes_first_unless_the_chunk_already_opens_with_it(string? title, string text, string expected) =>
        EmbeddingText.ForChunk(title, text).Should().Be(expected);

    [Theory]
    [InlineData("intfloat/e5-small-v2", "query: ", "passage: ")]
    [InlineData("BAAI/bge-small-en-v1.5", EmbeddingPrefixes.RetrievalInstruction, null)]
    [InlineData("Snowflake/snowflake-arctic-embed-xs", EmbeddingPrefixes.RetrievalInstruction, null)]
    [InlineData("Snowflake/snowflake-arctic-embed-m-v2.0", "query: ", null)]
    [InlineData("nomic-embed-text", "search_query: ", "search_document: ")]
    [InlineData("text-embedding-3-small", null, null)]
    public void Published_prefixes_follow_the_model_family(string model, string? query, string? document) =>
        EmbeddingPrefixes.Published(model).Should().Be((query, document));

    [Fact]
    public void Only_a_document_prefix_changes_the_model_id()
    {
        EmbeddingPrefixes.QualifyModelId("openai:m", null).Should().Be("openai:m");
        EmbeddingPrefixes.QualifyModelId("openai:m", "").Should().Be("openai:m");
        EmbeddingPrefixes.QualifyModelId("openai:m", "passage: ").Should().MatchRegex("^openai:m\\+doc:[0-9a-f]{8}$")
            .And.NotBe(EmbeddingPrefixes.QualifyModelId("openai:m", "search_document: "));
    }
}
