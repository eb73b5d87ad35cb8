using System.Globalization;
using System.Text.Json;
using Quarry.Privacy;
using Xunit.Abstractions;

namespace Quarry.Core.Tests.Privacy;

/// <summary>
/// Precision and recall of the recognizers on the labelled set (make-labelled-set.py: 450 values of 7 kinds in
/// realistic sentences, 400 hard negatives — versions, dates, prices, ISBNs, failed checksums). A value counts as
/// found when a match of its kind covers exactly it.
/// </summary>
public sealed class RecognizerAccuracyTests(ITestOutputHelper output)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Row(string Text, List<Entity> Entities);
    private sealed record Entity(string Kind, string Value);

    [Fact]
    public void Recognizers_find_the_labelled_values_and_leave_the_hard_negatives_alone()
    {
        var detector = TestMasker.Create();
        var rows = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Privacy", "pii-labelled.jsonl"))
            .Select(l => JsonSerializer.Deserialize<Row>(l, Json)!).ToList();
        var perKind = Enum.GetNames<PiiKind>().ToDictionary(k => k, _ => (Tp: 0, Fp: 0, Fn: 0));
        var mistakes = new List<string>();
        foreach (var row in rows)
        {
            var found = detector.Detect(row.Text).Select(m => (Kind: m.Kind.ToString(), m.Value)).ToList();
            foreach (var gold in row.Entities)
            {
                var hit = found.Remove((gold.Kind, gold.Value));
                var c = perKind[gold.Kind];
                perKind[gold.Kind] = hit ? c with { Tp = c.Tp + 1 } : c with { Fn = c.Fn + 1 };
                if (!hit) mistakes.Add($"missed {gold.Kind} '{gold.Value}' in: {row.Text}");
            }
            foreach (var extra in found)
            {
                var c = perKind[extra.Kind];
                perKind[extra.Kind] = c with { Fp = c.Fp + 1 };
                mistakes.Add($"false {extra.Kind} '{extra.Value}' in: {row.Text}");
            }
        }

        output.WriteLine("| kind | values | precision | recall |");
        output.WriteLine("|---|---|---|---|");
        foreach (var (kind, c) in perKind)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {kind} | {c.Tp + c.Fn} | {Ratio(c.Tp, c.Tp + c.Fp):F3} | {Ratio(c.Tp, c.Tp + c.Fn):F3} |"));
        var (tp, fp, fn) = (perKind.Values.Sum(c => c.Tp), perKind.Values.Sum(c => c.Fp), perKind.Values.Sum(c => c.Fn));
        var negatives = rows.Count(r => r.Entities.Count == 0);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| all | {tp + fn} | {Ratio(tp, tp + fp):F3} | {Ratio(tp, tp + fn):F3} |  ({negatives} hard-negative sentences)"));
        foreach (var mistake in mistakes) output.WriteLine(mistake);

        (tp + fn).Should().BeGreaterThanOrEqualTo(300);
        negatives.Should().BeGreaterThanOrEqualTo(300);
        Ratio(tp, tp + fp).Should().BeGreaterThanOrEqualTo(0.98, string.Join("\n", mistakes.Take(20)));
        Ratio(tp, tp + fn).Should().BeGreaterThanOrEqualTo(0.97, string.Join("\n", mistakes.Take(20)));
    }

    private static double Ratio(int a, int b) => b == 0 ? 1 : (double)a / b;
}
