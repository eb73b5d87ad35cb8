using Quarry.Cli.Tests.TestSupport;

namespace Quarry.Cli.Tests;

public sealed class EvalAnswersCommandTests : IDisposable
{
    private readonly QuarryProcess _quarry = new();

    public void Dispose() => _quarry.Dispose();

    private string Dataset(string name, (string Id, string Title, string Text)[] corpus, (string Id, string Question, string Answer, string Doc)[] questions)
    {
        var dir = Path.Combine(_quarry.WorkDirectory, name);
        Directory.CreateDirectory(Path.Combine(dir, "qrels"));
        File.WriteAllLines(Path.Combine(dir, "corpus.jsonl"), corpus.Select(c => $"{{\"_id\":\"{c.Id}\",\"title\":\"{c.Title}\",\"text\":\"{c.Text}\"}}"));
        File.WriteAllLines(Path.Combine(dir, "queries.jsonl"), questions.Select(q => $"{{\"_id\":\"{q.Id}\",\"text\":\"{q.Question}\"}}"));
        File.WriteAllLines(Path.Combine(dir, "qrels", "test.tsv"), questions.Select(q => $"{q.Id}\t{q.Doc}\t1").Prepend("query-id\tcorpus-id\tscore"));
        File.WriteAllLines(Path.Combine(dir, "answers.jsonl"), questions.Select(q => $"{{\"_id\":\"{q.Id}\",\"answers\":[\"{q.Answer}\"]}}"));
        return dir;
    }

    [Fact]
    public async Task Reports_citation_accuracy_f1_abstention_and_wrong_knowledge_base_abstention()
    {
        var qa = Dataset("qa",
            [
                ("d1", "Refunds", "Refunds are paid within 14 days of receiving the returned item. Gift cards cannot be refunded."),
                ("d2", "Shipping", "Parcels ship within two working days. Express delivery costs 9 euros."),
            ],
            [
                ("q1", "When are refunds paid?", "within 14 days", "d1"),
                ("q2", "What does express delivery cost?", "9 euros", "d2"),
            ]);
        var unrelated = Dataset("biology", [("b1", "Cells", "Mitochondria produce most of the chemical energy of the cell.")], [("x", "What do mitochondria produce?", "energy", "b1")]);

        var result = await _quarry.RunAsync("eval-answers", "--dataset", qa, "--unrelated", unrelated, "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        var json = result.Json;
        json.GetProperty("dataset").GetString().Should().Be("qa");
        json.GetProperty("questions").GetInt32().Should().Be(2);
        json.GetProperty("citedContainsGold").GetDouble().Should().Be(1.0);
        json.GetProperty("abstained").GetDouble().Should().Be(0);
        json.GetProperty("config").GetProperty("fusion").GetString().Should().Be("keyword");
        json.GetProperty("config").GetProperty("split").GetString().Should().Be("all");
        json.GetProperty("wrongKbAbstention").GetDouble().Should().Be(1.0);
        // "Refunds are paid within 14 days of receiving the returned item" vs "within 14 days": F1 = 2·(3/10·1)/(3/10+1).
        json.GetProperty("f1").GetDouble().Should().BeInRange(0.3, 0.7);
        json.GetProperty("latencyMs").GetProperty("p50").GetDouble().Should().BeGreaterThan(0);
        json.GetProperty("stagesMs").GetProperty("retrieve").GetProperty("p95").GetDouble().Should().BeGreaterThan(0);

        // Evaluation corpora stay out of the UI's picker and /v1/models.
        var list = await _quarry.RunAsync("kb", "list", "--json");
        list.ExitCode.Should().Be(0, list.ToString());
        list.Json.EnumerateArray().Select(k => (k.GetProperty("name").GetString(), k.GetProperty("hidden").GetBoolean()))
            .Should().BeEquivalentTo([("eval-qa", true), ("eval-biology", true)]);
    }

    [Fact]
    public async Task A_dataset_without_gold_answers_is_refused_with_the_missing_file_named()
    {
        var qa = Dataset("qa", [("d1", "T", "Text here.")], [("q1", "What?", "x", "d1")]);
        File.Delete(Path.Combine(qa, "answers.jsonl"));

        var result = await _quarry.RunAsync("eval-answers", "--dataset", qa, "--unrelated", qa);

        result.ExitCode.Should().NotBe(0);
        result.Stderr.Should().Contain("answers.jsonl");
    }
}
