using Quarry.Answering;
using Quarry.Caching;
using Quarry.Documents;
using Quarry.Generation;
using Quarry.Retrieval;

namespace Quarry.Core.Tests.Caching;

public sealed class AnswerCacheKeysTests
{
    private static readonly AskRequest Base = new("How much is a taxi refunded?", new SearchFilter
    {
        Tenant = new TenantId("alpha"),
        KnowledgeBases = [new KnowledgeBaseId("kb_1"), new KnowledgeBaseId("kb_2")],
    });

    [Theory]
    [InlineData("How much is a taxi refunded?", "how much is a taxi refunded")]
    [InlineData("  how   much is a TAXI refunded ?! ", "how much is a taxi refunded")]
    [InlineData("What is f(x)", "what is f(x)")]
    public void Normalizing_ignores_case_spacing_and_closing_punctuation(string question, string expected) =>
        AnswerCacheKeys.Normalize(question).Should().Be(expected);

    [Fact]
    public void Every_part_of_the_scope_changes_the_key()
    {
        var scope = AnswerCacheKeys.Scope(Base, "kb_1=1;kb_2=4;", "extractive", "");
        var variants = new[]
        {
            AnswerCacheKeys.Scope(Base with { Filter = Base.Filter with { Tenant = new TenantId("beta") } }, "kb_1=1;kb_2=4;", "extractive", ""),
            AnswerCacheKeys.Scope(Base, "kb_1=2;kb_2=4;", "extractive", ""),
            AnswerCacheKeys.Scope(Base, "kb_1=1;kb_2=4;", "openai:gpt", ""),
            AnswerCacheKeys.Scope(Base, "kb_1=1;kb_2=4;", "extractive", "group:finance"),
            AnswerCacheKeys.Scope(Base with { TopK = 3 }, "kb_1=1;kb_2=4;", "extractive", ""),
            AnswerCacheKeys.Scope(Base with { Filter = Base.Filter with { SourcePrefix = "hr/" } }, "kb_1=1;kb_2=4;", "extractive", ""),
            AnswerCacheKeys.Scope(Base with { Filter = Base.Filter with { TagsAll = new Dictionary<string, string> { ["lang"] = "en" } } }, "kb_1=1;kb_2=4;", "extractive", ""),
            AnswerCacheKeys.Scope(Base with { History = [new ChatMessage(ChatRole.User, "about Paris")] }, "kb_1=1;kb_2=4;", "extractive", ""),
        };
        variants.Should().OnlyHaveUniqueItems().And.NotContain(scope);
    }

    [Fact]
    public void Knowledge_base_order_does_not_matter_and_fields_cannot_bleed_into_each_other()
    {
        var reordered = Base with { Filter = Base.Filter with { KnowledgeBases = [new KnowledgeBaseId("kb_2"), new KnowledgeBaseId("kb_1")] } };
        AnswerCacheKeys.Scope(reordered, "v", "m", "").Should().Be(AnswerCacheKeys.Scope(Base, "v", "m", ""));
        // A value containing another field's separator must not produce the same key as two fields.
        AnswerCacheKeys.Scope(Base, "v\nmodel:1:m", "", "").Should().NotBe(AnswerCacheKeys.Scope(Base, "v", "m", ""));
        AnswerCacheKeys.Exact("s", "q").Should().NotBe(AnswerCacheKeys.Exact("s", "q2")).And.StartWith("quarry:answer:");
    }
}
