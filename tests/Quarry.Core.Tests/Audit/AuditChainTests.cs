using Quarry.Audit;
using Quarry.Diagnostics;

namespace Quarry.Core.Tests.Audit;

public sealed class AuditChainTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 4, 5, 6, 7, 891, TimeSpan.Zero);

    private static AuditRecord Record() => new()
    {
        Id = "aud_000000000000000000000001",
        Tenant = "acme",
        Time = At,
        KeyId = "key_1",
        Route = "ask",
        KnowledgeBases = ["docs"],
        Question = "What is the refund policy?",
        Retrieved = [new AuditRetrieved("c1", "d1", 3)],
        Cited = [new AuditCited("c1", "d1", 0, 10)],
        Model = "extractive",
        Grounded = true,
        Abstained = false,
        AnswerText = "Thirty days.",
        LatencyMs = 12.5,
        Status = 200,
        TraceId = "t1",
    };

    [Fact]
    public void Links_number_from_one_and_carry_the_previous_hash()
    {
        var first = AuditChain.Link(Record(), null);
        var second = AuditChain.Link(Record() with { Id = "aud_2" }, new AuditChainHead(first.Sequence, first.Hash));

        first.Sequence.Should().Be(1);
        first.PrevHash.Should().Be(AuditChain.Genesis);
        first.Hash.Should().MatchRegex("^[0-9a-f]{64}$").And.Be(AuditChain.ComputeHash(first));
        second.Sequence.Should().Be(2);
        second.PrevHash.Should().Be(first.Hash);
        AuditChain.Link(Record(), null).Hash.Should().Be(first.Hash, "the hash depends on the content only");
    }

    public static TheoryData<string> Edits => ["tenant", "sequence", "time", "key", "route", "kbs", "question", "retrieved", "cited", "grounded", "answer", "latency", "status", "trace", "prev"];

    [Theory]
    [MemberData(nameof(Edits))]
    public void Changing_any_field_changes_the_hash(string field)
    {
        var linked = AuditChain.Link(Record(), null);
        var edited = field switch
        {
            "tenant" => linked with { Tenant = "globex" },
            "sequence" => linked with { Sequence = 2 },
            "time" => linked with { Time = linked.Time.AddMilliseconds(1) },
            "key" => linked with { KeyId = null },
            "route" => linked with { Route = "search" },
            "kbs" => linked with { KnowledgeBases = ["docs", "faq"] },
            "question" => linked with { Question = "What is the refund policy" },
            "retrieved" => linked with { Retrieved = [new AuditRetrieved("c1", "d1", 4)] },
            "cited" => linked with { Cited = [new AuditCited("c1", "d1", 0, 11)] },
            "grounded" => linked with { Grounded = null },
            "answer" => linked with { AnswerText = "Sixty days." },
            "latency" => linked with { LatencyMs = 12.6 },
            "status" => linked with { Status = 500 },
            "trace" => linked with { TraceId = "t2" },
            "prev" => linked with { PrevHash = new string('1', 64) },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };
        AuditChain.ComputeHash(edited).Should().NotBe(linked.Hash);
    }

    [Fact]
    public void Checkpoints_verify_only_with_the_signing_key_and_unchanged()
    {
        var signer = new AuditCheckpointSigner(new byte[32]);
        var unsigned = new AuditCheckpoint("acme", 7, new string('a', 64), At, "");
        var signed = unsigned with { Signature = signer.Sign(unsigned) };

        signer.IsValid(signed).Should().BeTrue();
        signer.IsValid(signed with { Sequence = 8 }).Should().BeFalse();
        signer.IsValid(signed with { Hash = new string('b', 64) }).Should().BeFalse();
        new AuditCheckpointSigner(Enumerable.Repeat((byte)1, 32).ToArray()).IsValid(signed).Should().BeFalse();
    }

    [Fact]
    public void A_generated_checkpoint_key_is_kept_in_its_file_and_reused()
    {
        var file = Path.Combine(Path.GetTempPath(), "quarry-audit-key-" + Guid.NewGuid().ToString("N"), "audit-checkpoint.key");
        try
        {
            var checkpoint = new AuditCheckpoint("acme", 1, new string('a', 64), At, "");
            var first = AuditCheckpointSigner.FromOptions(new AuditOptions { CheckpointKeyFile = file }).Sign(checkpoint);
            var second = AuditCheckpointSigner.FromOptions(new AuditOptions { CheckpointKeyFile = file }).Sign(checkpoint);
            second.Should().Be(first);
            if (!OperatingSystem.IsWindows())
                File.GetUnixFileMode(file).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Theory]
    [InlineData(AuditQuestionStorage.Full, AuditAnswerStorage.Full)]
    [InlineData(AuditQuestionStorage.Hashed, AuditAnswerStorage.None)]
    [InlineData(AuditQuestionStorage.None, AuditAnswerStorage.Full)]
    public void Request_facts_map_to_a_record_storing_question_and_answer_as_configured(AuditQuestionStorage question, AuditAnswerStorage answer)
    {
        var facts = new RequestFacts("ask")
        {
            Tenant = "acme",
            KeyId = "key_9",
            KnowledgeBases = ["docs"],
            Query = "refund\0policy?",
            Filters = """{"tags":{"lang":"en"}}""",
            Model = "extractive",
            FallbackPath = "keyword-only",
            Grounded = true,
            Abstained = false,
            AnswerText = "Thirty days [1].",
            StartedAt = At.AddTicks(1234),
            TraceId = "abc",
            Status = 200,
            LatencyMs = 41.23456,
        };
        facts.SetRetrieved([new RetrievedFact("c1", "d1", 2, 0.9), new RetrievedFact("c2", "d2", 1, 0.5)]);
        facts.SetCited([new CitedFact("c1", "d1", 5, 30)]);

        var record = AuditRecordMapper.FromFacts(facts, new AuditOptions { Question = question, Answer = answer }, At.AddDays(1))!;

        record.Id.Should().MatchRegex("^aud_[0-9a-f]{24}$");
        record.Should().BeEquivalentTo(new
        {
            Tenant = "acme",
            KeyId = "key_9",
            Route = "ask",
            Time = At,
            KnowledgeBases = new[] { "docs" },
            Filters = """{"tags":{"lang":"en"}}""",
            Retrieved = new[] { new AuditRetrieved("c1", "d1", 2), new AuditRetrieved("c2", "d2", 1) },
            Cited = new[] { new AuditCited("c1", "d1", 5, 30) },
            Model = "extractive",
            FallbackPath = "keyword-only",
            Grounded = (bool?)true,
            Abstained = (bool?)false,
            LatencyMs = 41.235,
            Status = 200,
            TraceId = "abc",
        });
        record.Question.Should().Be(question switch
        {
            AuditQuestionStorage.Full => "refund\uFFFDpolicy?",
            AuditQuestionStorage.Hashed => "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("refund\0policy?"u8)),
            _ => null,
        });
        record.AnswerText.Should().Be(answer == AuditAnswerStorage.Full ? "Thirty days [1]." : null);
    }

    [Fact]
    public void A_request_without_a_tenant_has_no_record() =>
        AuditRecordMapper.FromFacts(new RequestFacts("search"), new AuditOptions(), At).Should().BeNull();
}
