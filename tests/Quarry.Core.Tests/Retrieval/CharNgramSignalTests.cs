using System.Runtime.InteropServices;
using Quarry.Documents;
using Quarry.Retrieval;

namespace Quarry.Core.Tests.Retrieval;

public sealed class CharNgramSignalTests
{
    private static readonly string[] Words =
    [
        "insulin", "resistance", "glucose", "receptor", "tumour", "tumor", "suppressor", "p53", "mutation", "mutations",
        "the", "of", "and", "in", "cells", "cell", "expression", "regulates", "regulation", "mice", "human", "BRCA1",
        "α-synuclein", "café", "naïve", "T-cells", "interleukin-6", "IL6", "pathway", "pathways", "supercalifragilistic" + new string('x', 80),
    ];

    [Theory]
    [InlineData(1, 0, 40)]
    [InlineData(2, 1 << 20, 40)]
    [InlineData(3, 40_000, 40)]
    // Pools of 255 or more count document frequencies in 16 bits rather than 8.
    [InlineData(4, 1 << 20, 300)]
    public void Scores_equal_the_reference_computation_bit_for_bit_whatever_the_cache_holds(int seed, long cacheBytes, int maxPool)
    {
        var random = new Random(seed);
        var corpus = Enumerable.Range(0, maxPool * 3 / 2).Select(i => Chunk(i, RandomText(random, random.Next(0, 300)))).ToList();
        var scorer = new CharNgramScorer(cacheBytes);

        for (var q = 0; q < 25; q++)
        {
            var query = q == 0 ? "!!! ??" : RandomText(random, random.Next(1, 12));
            // Overlapping pools, as consecutive queries have: some chunks are cached, some are not.
            var pool = corpus.OrderBy(_ => random.Next()).Take(q == 1 ? maxPool : random.Next(1, maxPool)).ToList();

            var actual = scorer.Score(query, pool);
            var expected = Reference.Score(query, pool.Select(CharNgramScorer.TextOf).ToList());

            actual.Should().Equal(expected, $"query {q} \"{query}\"");
        }
        scorer.CachedBytes.Should().BeLessThanOrEqualTo(cacheBytes);
    }

    [Fact]
    public void A_typo_scores_the_intended_word_above_an_unrelated_one()
    {
        var scorer = new CharNgramScorer(1 << 20);
        var scores = scorer.Score("refnd polcy", [Chunk(0, "Refund policy for returned items"), Chunk(1, "Shipping times for parcels")]);

        scores[0].Should().BeGreaterThan(scores[1]);
        scores[1].Should().Be(0);
    }

    [Fact]
    public void The_cache_keeps_the_most_recently_used_profiles_within_its_budget()
    {
        var chunks = Enumerable.Range(0, 10).Select(i => Chunk(i, $"chunk number {i} about topic{i} and subject{i}")).ToList();
        var budget = chunks.TakeLast(3).Sum(c => NgramProfile.Of(CharNgramScorer.TextOf(c)).Bytes);
        var scorer = new CharNgramScorer(budget);

        scorer.Score("topic", chunks);

        scorer.CachedBytes.Should().Be(budget);
        chunks.Select(c => scorer.IsCached(c.Id)).Should().Equal(Enumerable.Range(0, 10).Select(i => i >= 7));

        // A hit makes a chunk the most recent: the next newcomer evicts the others first.
        scorer.Score("topic", [chunks[7]]);
        scorer.Score("topic", [chunks[0]]);
        scorer.IsCached(chunks[7].Id).Should().BeTrue();
        scorer.IsCached(chunks[8].Id).Should().BeFalse();
    }

    private static Chunk Chunk(int i, string text) => new()
    {
        Id = new ChunkId($"doc{i}_v1_c0"),
        TenantId = TenantId.Default,
        KnowledgeBaseId = new KnowledgeBaseId("kb"),
        DocumentId = new DocumentId($"doc{i}"),
        Version = 1,
        Ordinal = 0,
        Text = text,
        Title = $"Title {i % 7}",
        Section = i % 2 == 0 ? ["Results", "Methods"] : [],
        SourceUri = $"mem://doc{i}",
        TokenCount = 1,
        Checksum = "x",
        Span = new TextSpan(0, text.Length),
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
    };

    private static string RandomText(Random random, int words) =>
        string.Join(random.Next(4) == 0 ? ", " : " ", Enumerable.Range(0, words).Select(_ => Words[(int)(Words.Length * Math.Pow(random.NextDouble(), 2))]));

    /// <summary>The signal as first written (dictionaries, weights materialized per candidate); only the gram hash is
    /// shared with the implementation under test.</summary>
    private static class Reference
    {
        public static double[] Score(string query, List<string> candidates)
        {
            var docs = new Dictionary<int, float>[candidates.Count];
            var documentFrequency = new Dictionary<int, int>();
            for (var i = 0; i < candidates.Count; i++)
            {
                docs[i] = TermFrequencies(candidates[i]);
                foreach (var gram in docs[i].Keys)
                    CollectionsMarshal.GetValueRefOrAddDefault(documentFrequency, gram, out _)++;
            }
            var n = candidates.Count;
            double Idf(int gram) => Math.Log((n + 1.0) / (documentFrequency.GetValueOrDefault(gram) + 1.0)) + 1.0;
            var queryVector = Weigh(TermFrequencies(query), Idf);
            var scores = new double[n];
            if (queryVector.Count == 0) return scores;
            for (var i = 0; i < n; i++)
            {
                var docVector = Weigh(docs[i], Idf);
                double dot = 0;
                foreach (var (gram, weight) in queryVector)
                {
                    if (docVector.TryGetValue(gram, out var w)) dot += weight * w;
                }
                scores[i] = dot;
            }
            return scores;
        }

        private static Dictionary<int, double> Weigh(Dictionary<int, float> frequencies, Func<int, double> idf)
        {
            var weighted = new Dictionary<int, double>(frequencies.Count);
            double norm = 0;
            foreach (var (gram, tf) in frequencies)
            {
                var w = (1 + Math.Log(tf)) * idf(gram);
                weighted[gram] = w;
                norm += w * w;
            }
            if (norm == 0) return weighted;
            var scale = 1 / Math.Sqrt(norm);
            foreach (var gram in weighted.Keys) weighted[gram] *= scale;
            return weighted;
        }

        private static Dictionary<int, float> TermFrequencies(string text)
        {
            var grams = new Dictionary<int, float>();
            Span<char> buffer = stackalloc char[66];
            var length = 0;
            foreach (var raw in text)
            {
                var c = char.ToLowerInvariant(raw);
                if (char.IsLetterOrDigit(c))
                {
                    if (length == 0) buffer[length++] = ' ';
                    if (length < buffer.Length - 1) buffer[length++] = c;
                    continue;
                }
                Flush(buffer, ref length, grams);
            }
            Flush(buffer, ref length, grams);
            return grams;
        }

        private static void Flush(Span<char> buffer, ref int length, Dictionary<int, float> grams)
        {
            if (length == 0) return;
            buffer[length++] = ' ';
            var word = buffer[..length];
            for (var size = 3; size <= 5; size++)
            {
                for (var start = 0; start + size <= word.Length; start++)
                    CollectionsMarshal.GetValueRefOrAddDefault(grams, NgramProfile.Hash(word.Slice(start, size)), out _)++;
            }
            length = 0;
        }
    }
}
