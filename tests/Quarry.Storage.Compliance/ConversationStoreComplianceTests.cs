using Quarry.Answering;
using Quarry.Conversations;
using Quarry.Documents;

namespace Quarry.Storage.Compliance;

/// <summary>What every <see cref="IConversationStore"/> must do: keep a session's turns in order, show a session only
/// to its tenant and owner, drop the oldest turns beyond the limits, and purge sessions by age.</summary>
public abstract class ConversationStoreComplianceTests<TStore> : StoreComplianceBase<TStore>
    where TStore : class
{
    private static readonly TenantId Acme = new("acme"), Globex = new("globex");
    private static readonly ConversationLimits Roomy = new(100, 1_000_000);

    protected abstract IConversationStore Conversations { get; }

    private DateTimeOffset Now => DateTimeOffset.FromUnixTimeMilliseconds(Clock.GetUtcNow().ToUnixTimeMilliseconds());

    private async Task<Conversation> NewAsync(TenantId tenant, string owner = "user:ann", string? kb = "docs")
    {
        var conversation = new Conversation("ses_" + Guid.NewGuid().ToString("N")[..20], tenant, owner, kb, "New chat", Now, Now);
        await Conversations.CreateAsync(conversation, Ct);
        return conversation;
    }

    private ConversationTurn Turn(string question, string answer = "It was founded in 1842.", string? rewritten = null) => new(0, question, rewritten, answer,
        [new Citation(1, "doc_a", "chk_1", "Notre Dame", "History", "file://nd.md", 2, 10, 42, "founded in 1842 by Father Sorin")], Now);

    [Fact]
    public async Task Turns_are_appended_in_order_and_read_back_equal()
    {
        var session = await NewAsync(Acme);
        Clock.Advance(TimeSpan.FromMinutes(1));
        await Conversations.AppendTurnAsync(Acme, "user:ann", session.Id, Turn("When was Notre Dame founded?"), Roomy, Ct);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var updated = await Conversations.AppendTurnAsync(Acme, "user:ann", session.Id, Turn("Who founded it?", "Father Sorin.", "Who founded it? Notre Dame"), Roomy, Ct);

        updated!.TurnCount.Should().Be(2);
        updated.UpdatedAt.Should().Be(Now);
        updated.Bytes.Should().BeGreaterThan(0);
        var turns = await Conversations.GetTurnsAsync(Acme, "user:ann", session.Id, Ct);
        turns.Select(t => t.Ordinal).Should().Equal(1, 2);
        turns[1].Should().BeEquivalentTo(Turn("Who founded it?", "Father Sorin.", "Who founded it? Notre Dame") with { Ordinal = 2 });
        (await Conversations.GetAsync(Acme, "user:ann", session.Id, Ct)).Should().Be(updated);
    }

    [Fact]
    public async Task A_session_is_invisible_to_another_tenant_and_another_owner()
    {
        var session = await NewAsync(Acme);
        await Conversations.AppendTurnAsync(Acme, "user:ann", session.Id, Turn("When was Notre Dame founded?"), Roomy, Ct);
        await NewAsync(Acme, owner: "key:other");

        foreach (var (tenant, owner) in new[] { (Globex, "user:ann"), (Acme, "user:bob"), (Acme, "key:other") })
        {
            (await Conversations.GetAsync(tenant, owner, session.Id, Ct)).Should().BeNull();
            (await Conversations.GetTurnsAsync(tenant, owner, session.Id, Ct)).Should().BeEmpty();
            (await Conversations.AppendTurnAsync(tenant, owner, session.Id, Turn("Who founded it?"), Roomy, Ct)).Should().BeNull();
            (await Conversations.UpdateAsync(tenant, owner, session.Id, "Stolen", null, Now, Ct)).Should().BeNull();
            (await Conversations.DeleteAsync(tenant, owner, session.Id, Ct)).Should().BeFalse();
        }
        (await Conversations.ListAsync(Acme, "user:ann", 10, Ct)).Select(c => c.Id).Should().Equal(session.Id);
        (await Conversations.ListAsync(Globex, "user:ann", 10, Ct)).Should().BeEmpty();
        (await Conversations.CountAsync(Acme, "key:other", Ct)).Should().Be(1);
        (await Conversations.GetTurnsAsync(Acme, "user:ann", session.Id, Ct)).Should().ContainSingle();
        (await Conversations.GetAsync(Acme, "user:ann", session.Id, Ct))!.Title.Should().Be("New chat");
    }

    [Fact]
    public async Task The_oldest_turns_are_dropped_beyond_the_turn_and_byte_limits()
    {
        var session = await NewAsync(Acme);
        for (var i = 1; i <= 5; i++)
            await Conversations.AppendTurnAsync(Acme, "user:ann", session.Id, Turn($"Question {i}?"), new ConversationLimits(3, 1_000_000), Ct);
        (await Conversations.GetTurnsAsync(Acme, "user:ann", session.Id, Ct)).Select(t => t.Question).Should().Equal("Question 3?", "Question 4?", "Question 5?");

        var size = Turn("Question 6?").Bytes;
        var updated = await Conversations.AppendTurnAsync(Acme, "user:ann", session.Id, Turn("Question 6?"), new ConversationLimits(100, size * 2 - 1), Ct);
        updated!.TurnCount.Should().Be(1, "two turns do not fit the byte limit");
        updated.Bytes.Should().Be(size);
        (await Conversations.GetTurnsAsync(Acme, "user:ann", session.Id, Ct)).Select(t => t.Ordinal).Should().Equal(6);
    }

    [Fact]
    public async Task Sessions_are_renamed_listed_newest_first_deleted_and_purged_by_age()
    {
        var old = await NewAsync(Acme);
        Clock.Advance(TimeSpan.FromDays(10));
        var recent = await NewAsync(Acme, kb: null);
        (await Conversations.UpdateAsync(Acme, "user:ann", recent.Id, "Refunds", "billing", Now, Ct)).Should()
            .Match<Conversation>(c => c.Title == "Refunds" && c.KnowledgeBase == "billing");
        (await Conversations.ListAsync(Acme, "user:ann", 10, Ct)).Select(c => c.Id).Should().Equal(recent.Id, old.Id);

        (await Conversations.PurgeAsync(Now.AddDays(-5), Ct)).Should().Be(1);
        (await Conversations.GetAsync(Acme, "user:ann", old.Id, Ct)).Should().BeNull();
        (await Conversations.DeleteAsync(Acme, "user:ann", recent.Id, Ct)).Should().BeTrue();
        (await Conversations.ListAsync(Acme, "user:ann", 10, Ct)).Should().BeEmpty();
    }
}
