using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Quarry.Conversations;
using Quarry.Documents;
using Quarry.Generation;
using Quarry.Tokenization;

namespace Quarry.Core.Tests.Conversations;

/// <summary>The model path of the rewriter: its own budget, and the rule when the model is slow or fails.</summary>
public sealed class FollowUpRewriterTests
{
    private static readonly ChatMessage[] History = [new(ChatRole.User, "When did the Zephyr Bridge open?"), new(ChatRole.Assistant, "In 1931 [1].")];

    private static FollowUpRewriter Rewriter(IChatModel chat) => new(chat, BertWordPieceTokenizer.Default,
        Options.Create(new ConversationOptions { Rewrite = new RewriteOptions { MaxOutputTokens = 40, Timeout = TimeSpan.FromMilliseconds(200) } }),
        NullLogger<FollowUpRewriter>.Instance);

    [Fact]
    public async Task The_models_rewrite_is_used_with_the_rewrite_budget()
    {
        var chat = new ScriptedChat(_ => Task.FromResult("Standalone query: \"What does the Zephyr Bridge carry?\""));
        var result = await Rewriter(chat).RewriteAsync("What does it carry?", History, TenantId.Default, CancellationToken.None);

        result.Should().Be(new FollowUpRewrite("What does the Zephyr Bridge carry?", "What does the Zephyr Bridge carry?", "model"));
        chat.Requests.Should().ContainSingle().Which.MaxOutputTokens.Should().Be(40);
        chat.Requests[0].Messages[1].Content.Should().Contain("User: When did the Zephyr Bridge open?").And.EndWith("Standalone query:");
    }

    [Fact]
    public async Task A_slow_model_is_abandoned_for_the_rule()
    {
        var chat = new ScriptedChat(async ct =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return "never";
        });
        var result = await Rewriter(chat).RewriteAsync("What does it carry?", History, TenantId.Default, CancellationToken.None);

        result.Method.Should().Be("rule");
        result.Rewritten.Should().Be("What does it carry? Zephyr Bridge open");
    }

    [Fact]
    public async Task A_failing_model_falls_back_to_the_rule_and_no_history_means_no_rewrite()
    {
        var chat = new ScriptedChat(_ => throw new ChatModelException("503 from provider", isTransient: true));
        (await Rewriter(chat).RewriteAsync("What does it carry?", History, TenantId.Default, CancellationToken.None)).Method.Should().Be("rule");
        (await Rewriter(chat).RewriteAsync("What does it carry?", [], TenantId.Default, CancellationToken.None))
            .Should().Be(new FollowUpRewrite("What does it carry?", null, "none"));
    }

    /// <summary>A chat model whose reply the test scripts (the remote provider cannot run here).</summary>
    private sealed class ScriptedChat(Func<CancellationToken, Task<string>> reply) : IChatModel
    {
        public List<ChatRequest> Requests { get; } = [];
        public string ModelId => "test:scripted";
        public int ContextWindow => 4096;

        public async Task<ChatCompletion> CompleteAsync(ChatRequest request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return new ChatCompletion(await reply(cancellationToken), ModelId, null, "stop");
        }

        public async IAsyncEnumerable<ChatUpdate> StreamAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            yield return new ChatUpdate((await CompleteAsync(request, cancellationToken)).Text);
        }
    }
}
