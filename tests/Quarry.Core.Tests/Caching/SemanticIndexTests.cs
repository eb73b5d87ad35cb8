using Quarry.Caching;

namespace Quarry.Core.Tests.Caching;

public sealed class SemanticIndexTests
{
    [Fact]
    public void Only_a_question_of_the_same_scope_above_the_threshold_is_found()
    {
        var index = new SemanticIndex(entriesPerScope: 2);
        index.Add("scope-a", [1, 0, 0], "k1");
        index.Add("scope-a", [0, 1, 0], "k2");

        index.Nearest("scope-a", [0.99f, 0.05f, 0], 0.95)!.Value.Key.Should().Be("k1");
        index.Nearest("scope-a", [0.7f, 0.7f, 0], 0.95).Should().BeNull("equally far from both, near neither");
        index.Nearest("scope-b", [1, 0, 0], 0.95).Should().BeNull("another tenant, filter or knowledge version");

        index.Add("scope-a", [0, 0, 1], "k3");
        index.Nearest("scope-a", [1, 0, 0], 0.95).Should().BeNull("the oldest entry made room");
    }
}

public sealed class CacheAdmissionTests
{
    private static readonly Quarry.Answering.Answer Grounded = new()
    {
        Text = "40 euros [1].", Citations = [new Quarry.Answering.Citation(1, "d", "c", "t", "s", "u", null, 0, 5, "40 eu")],
        Grounded = true, Abstained = false, Model = "extractive",
    };

    [Theory]
    [InlineData(null, true)]
    [InlineData("keyword-only: no embedder is configured", true)]
    [InlineData("keyword-only: the embedder is unavailable (connection refused)", false)]
    [InlineData("keyword-only: the embedder did not answer within 2 s", false)]
    [InlineData("generation failed (timeout) → extractive", false)]
    public void Standing_degradations_are_cached_passing_failures_are_not(string? degraded, bool cached) =>
        CacheAdmission.Admits(Grounded with { Degraded = degraded }).Should().Be(cached);

    [Fact]
    public void Abstentions_and_uncited_answers_are_not_cached()
    {
        CacheAdmission.Admits(Grounded with { Abstained = true, Grounded = false, Citations = [] }).Should().BeFalse();
        CacheAdmission.Admits(Grounded with { Grounded = false }).Should().BeFalse();
    }
}
