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
