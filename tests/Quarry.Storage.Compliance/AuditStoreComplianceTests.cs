using Quarry.Audit;
using Quarry.Documents;

namespace Quarry.Storage.Compliance;

/// <summary>What every <see cref="IAuditStore"/> must do: chain each tenant's records, filter and page one tenant's
/// records only, and keep the chain verifiable after tampering is ruled out and after retention.</summary>
public abstract class AuditStoreComplianceTests<TStore> : StoreComplianceBase<TStore>
    where TStore : class
{
    private static readonly TenantId Acme = new("acme"), Globex = new("globex");
    private static readonly AuditCheckpointSigner Signer = new("0123456789abcdef0123456789abcdef"u8.ToArray());

    protected abstract IAuditStore Audit { get; }

    /// <summary>Changes the stored answer text of a record behind the store's back (what an attacker with database
    /// access would do).</summary>
    protected abstract Task EditAnswerAsync(string id, string answer);

    protected abstract Task DeleteRowAsync(string id);

    private AuditRecord NewRecord(TenantId tenant, string route = "ask", string? key = "key_1", string document = "doc_a", string? answer = "The answer.") => new()
    {
        Id = "aud_" + Guid.NewGuid().ToString("N")[..24],
        Tenant = tenant.Value,
        Time = AuditChain.Truncate(Clock.GetUtcNow()),
        KeyId = key,
        Route = route,
        KnowledgeBases = ["docs"],
        Question = "What is the refund policy?",
        Filters = """{"tags":{"lang":"en"}}""",
        Retrieved = [new AuditRetrieved("chk_1", document, 2), new AuditRetrieved("chk_2", "doc_z", 1)],
        Cited = [new AuditCited("chk_1", document, 10, 42)],
        Model = "extractive",
        Grounded = true,
        Abstained = false,
        AnswerText = answer,
        LatencyMs = 12.345,
        Status = 200,
        TraceId = "0af7651916cd43dd8448eb211c80319c",
    };

    private async Task<List<AuditRecord>> AppendAsync(params AuditRecord[] records) => [.. await Audit.AppendAsync(records, Ct)];

    [Fact]
    public async Task Appended_records_are_chained_per_tenant_and_read_back_equal()
    {
        var first = await AppendAsync(NewRecord(Acme), NewRecord(Globex), NewRecord(Acme));
        var second = await AppendAsync(NewRecord(Acme));

        first.Select(r => r.Sequence).Should().Equal(1, 1, 2);
        first[0].PrevHash.Should().Be(AuditChain.Genesis);
        first[2].PrevHash.Should().Be(first[0].Hash);
        second[0].Sequence.Should().Be(3);
        second[0].PrevHash.Should().Be(first[2].Hash);

        var chain = await Audit.ReadChainAsync(Acme, 0, 100, Ct);
        chain.Should().BeEquivalentTo([first[0], first[2], second[0]], o => o.WithStrictOrdering());
        (await Audit.GetAsync(Acme, first[0].Id, Ct)).Should().BeEquivalentTo(first[0]);
        (await AuditVerifier.VerifyAsync(Audit, Acme, Signer, Ct)).Should().Match<AuditVerification>(v => v.Ok && v.Checked == 3);
        (await AuditVerifier.VerifyAsync(Audit, Globex, Signer, Ct)).Should().Match<AuditVerification>(v => v.Ok && v.Checked == 1);
        (await Audit.ListTenantsAsync(Ct)).Should().Equal(Acme, Globex);
    }

    [Fact]
    public async Task Concurrent_appends_never_fork_a_chain()
    {
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => AppendAsync(NewRecord(Acme), NewRecord(Acme), NewRecord(Globex)))));

        var verification = await AuditVerifier.VerifyAsync(Audit, Acme, Signer, Ct);
        verification.Ok.Should().BeTrue(verification.Reason);
        verification.Checked.Should().Be(16);
    }

    [Fact]
    public async Task Queries_filter_by_time_route_key_and_document_and_page_newest_first()
    {
        var records = new List<AuditRecord>();
        for (var i = 0; i < 5; i++)
        {
            records.AddRange(await AppendAsync(NewRecord(Acme, route: i % 2 == 0 ? "ask" : "search", key: i < 3 ? "key_1" : "key_2", document: "doc_" + i)));
            Clock.Advance(TimeSpan.FromMinutes(1));
        }
        records.AddRange(await AppendAsync(NewRecord(Acme, route: AuditKinds.DocumentDeleted) with { Subject = "doc_3", Retrieved = [], Cited = [] }));
        await AppendAsync(NewRecord(Globex, document: "doc_0"));

        Ids(await Audit.QueryAsync(new AuditQuery(Acme), Ct)).Should().Equal(records.Select(r => r.Id).Reverse());
        Ids(await Audit.QueryAsync(new AuditQuery(Acme, Route: "search"), Ct)).Should().Equal(records[3].Id, records[1].Id);
        Ids(await Audit.QueryAsync(new AuditQuery(Acme, KeyId: "key_2"), Ct)).Should().Equal(records[4].Id, records[3].Id);
        Ids(await Audit.QueryAsync(new AuditQuery(Acme, DocumentId: "doc_3"), Ct)).Should().Equal(records[5].Id, records[3].Id);
        Ids(await Audit.QueryAsync(new AuditQuery(Acme, DocumentId: "doc_0"), Ct)).Should().Equal([records[0].Id], "another tenant's record never shows");
        Ids(await Audit.QueryAsync(new AuditQuery(Acme, DocumentId: "doc_z"), Ct)).Should().HaveCount(5, "every record but the deletion retrieved doc_z");
        Ids(await Audit.QueryAsync(new AuditQuery(Acme, From: records[1].Time, To: records[3].Time), Ct)).Should().Equal(records[2].Id, records[1].Id);

        var seen = new List<string>();
        long? cursor = null;
        do
        {
            var page = await Audit.QueryAsync(new AuditQuery(Acme, Limit: 4, Before: cursor), Ct);
            page.Items.Count.Should().BeLessThanOrEqualTo(4);
            seen.AddRange(page.Items.Select(r => r.Id));
            cursor = page.Next;
        }
        while (cursor is not null);
        seen.Should().Equal(records.Select(r => r.Id).Reverse());
    }

    [Fact]
    public async Task A_tenant_never_reads_another_tenants_record()
    {
        var acme = (await AppendAsync(NewRecord(Acme)))[0];
        (await Audit.GetAsync(Globex, acme.Id, Ct)).Should().BeNull();
        (await Audit.QueryAsync(new AuditQuery(Globex), Ct)).Items.Should().BeEmpty();
        (await Audit.ReadChainAsync(Globex, 0, 10, Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task Verify_finds_an_edited_record()
    {
        var records = await AppendAsync(NewRecord(Acme), NewRecord(Acme), NewRecord(Acme));
        await EditAnswerAsync(records[1].Id, "A different answer.");

        var verification = await AuditVerifier.VerifyAsync(Audit, Acme, Signer, Ct);
        verification.Ok.Should().BeFalse();
        verification.BrokenId.Should().Be(records[1].Id);
        verification.Reason.Should().Contain("edited");
    }

    [Fact]
    public async Task Verify_finds_a_deleted_record_in_the_middle_and_at_the_end()
    {
        var records = await AppendAsync(NewRecord(Acme), NewRecord(Acme), NewRecord(Acme), NewRecord(Acme));
        await DeleteRowAsync(records[3].Id);
        var tail = await AuditVerifier.VerifyAsync(Audit, Acme, Signer, Ct);
        tail.Ok.Should().BeFalse();
        tail.Reason.Should().Contain("deleted");

        await DeleteRowAsync(records[1].Id);
        var middle = await AuditVerifier.VerifyAsync(Audit, Acme, Signer, Ct);
        middle.Ok.Should().BeFalse();
        middle.BrokenId.Should().Be(records[2].Id);
        middle.Reason.Should().Contain("missing");
    }

    [Fact]
    public async Task Retention_deletes_an_old_prefix_and_its_checkpoint_keeps_verify_passing()
    {
        var old = await AppendAsync(NewRecord(Acme), NewRecord(Acme), NewRecord(Globex));
        Clock.Advance(TimeSpan.FromDays(40));
        var recent = await AppendAsync(NewRecord(Acme));
        var cutoff = Clock.GetUtcNow().AddDays(-30);

        (await Audit.PurgeAsync(Acme, cutoff, Signer.Sign, Ct)).Should().Be(2);
        (await Audit.PurgeAsync(Acme, cutoff, Signer.Sign, Ct)).Should().Be(0, "nothing older is left");

        (await Audit.ReadChainAsync(Acme, 0, 10, Ct)).Select(r => r.Id).Should().Equal(recent[0].Id);
        var state = await Audit.GetChainStateAsync(Acme, Ct);
        state.Checkpoint.Should().Match<AuditCheckpoint>(c => c.Sequence == 2 && c.Hash == old[1].Hash);
        Signer.IsValid(state.Checkpoint!).Should().BeTrue();
        (await AuditVerifier.VerifyAsync(Audit, Acme, Signer, Ct)).Should().Match<AuditVerification>(v => v.Ok && v.Checked == 1 && v.CheckpointVerified);
        (await Audit.GetAsync(Globex, old[2].Id, Ct)).Should().NotBeNull("retention of one tenant leaves the others alone");

        // Appending after the purge continues the chain; a forged checkpoint (other key) is refused.
        await AppendAsync(NewRecord(Acme));
        (await AuditVerifier.VerifyAsync(Audit, Acme, Signer, Ct)).Ok.Should().BeTrue();
        var otherKey = new AuditCheckpointSigner("another key, another key, another key!"u8.ToArray());
        (await AuditVerifier.VerifyAsync(Audit, Acme, otherKey, Ct)).Should().Match<AuditVerification>(v => !v.Ok && v.Reason!.Contains("signature"));
    }

    private static IEnumerable<string> Ids(AuditPage page) => page.Items.Select(r => r.Id);
}
