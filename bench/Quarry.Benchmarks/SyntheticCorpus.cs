using System.Diagnostics;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Quarry.Documents;
using Quarry.Storage.Sqlite;

namespace Quarry.Benchmarks;

/// <summary>
/// A synthetic knowledge base of N chunks in a SQLite file: words drawn from a Zipf distribution (s = 1) over a
/// 50,000-word vocabulary of made-up words, ~60 words per chunk, 250 chunks per document; plus queries of 2–5
/// mid-frequency words and random dimension-384 vectors. Everything is seeded, so every run sees the same data.
/// The file is built once per size under the temp directory and reused by later benchmark processes (build the 1M file
/// out of process: BenchmarkDotNet's in-process toolchain gives a benchmark a few minutes).
/// </summary>
internal static class SyntheticCorpus
{
    public const int Dimension = 384;
    public const string Model = "bench:random-384";
    public const int ChunksPerDocument = 250;
    public static readonly TenantId Tenant = new("bench");
    private const int Vocabulary = 50_000;
    private const int Version = 2;

    /// <summary>10k, 100k and 1M, or the comma-separated list in QUARRY_BENCH_CHUNKS.</summary>
    public static IEnumerable<int> Sizes() =>
        Environment.GetEnvironmentVariable("QUARRY_BENCH_CHUNKS") is { Length: > 0 } list
            ? list.Split(',').Select(v => int.Parse(v, System.Globalization.CultureInfo.InvariantCulture))
            : [10_000, 100_000, 1_000_000];

    public static string Directory(int chunks) =>
        Path.Combine(Path.GetTempPath(), "quarry-bench", $"corpus-v{Version}-{chunks}");

    /// <summary>The store over the corpus of <paramref name="chunks"/> chunks, building the file first if needed.</summary>
    public static async Task<(SqliteStore Store, KnowledgeBase KnowledgeBase)> OpenAsync(int chunks)
    {
        var directory = Directory(chunks);
        var complete = Path.Combine(directory, "complete");
        if (!File.Exists(complete))
        {
            if (System.IO.Directory.Exists(directory)) System.IO.Directory.Delete(directory, recursive: true);
            var started = Stopwatch.GetTimestamp();
            await BuildAsync(directory, chunks);
            await File.WriteAllTextAsync(complete, "");
            Console.WriteLine($"// SyntheticCorpus: built {chunks:N0} chunks in {Stopwatch.GetElapsedTime(started).TotalSeconds:F0}s at {directory}");
        }
        var store = Open(directory);
        var kb = await store.FindKnowledgeBaseAsync(Tenant, "bench", CancellationToken.None)
            ?? throw new InvalidOperationException($"{directory} has no knowledge base 'bench'; delete the folder to rebuild it.");
        return (store, kb);
    }

    private static SqliteStore Open(string directory) =>
        new(new SqliteStorageOptions { DataDirectory = directory }, TimeProvider.System, NullLogger<SqliteStore>.Instance);

    /// <remarks>
    /// The schema comes from the store (its migrations); the rows go in through one connection in one transaction with
    /// a large page cache, FTS rows by the store's own triggers. Through the store's per-document write path the 1M
    /// corpus took over a quarter of an hour on a 2-core machine, most of it in small B-tree and FTS flushes.
    /// </remarks>
    private static async Task BuildAsync(string directory, int chunks)
    {
        KnowledgeBase kb;
        using (var store = Open(directory))
            kb = await store.CreateKnowledgeBaseAsync(Tenant, "bench", CancellationToken.None);

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "quarry.db")};Pooling=False");
        await connection.OpenAsync();
        await ExecuteAsync(connection, "PRAGMA cache_size = -524288; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY;");
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        // The vectors live only in the benchmark's in-process index (storing 1.5 GB of BLOBs would only slow the
        // build), so the knowledge base is declared to be searched with their model, as a reindex would leave it.
        await ExecuteAsync(connection, $"UPDATE knowledge_bases SET embedding_model = '{Model}', embedding_dimension = {Dimension};");

        await using var document = Insert(connection, """
            INSERT INTO documents (tenant_id, id, kb_id, source_uri, title, content_type, size_bytes, checksum, version, tags, created_at, updated_at)
            VALUES ($tenant, $doc, $kb, $source, $title, 'text/plain', 0, $source, 1, '{}', 0, 0);
            INSERT INTO document_versions (tenant_id, doc_id, version, checksum, size_bytes, chunk_count, normalized_text, created_at)
            VALUES ($tenant, $doc, 1, $source, 0, $count, '', 0);
            """, "$tenant", "$doc", "$kb", "$source", "$title", "$count");
        await using var chunk = Insert(connection, """
            INSERT INTO chunks (id, tenant_id, doc_id, kb_id, version, ordinal, text, title, source_uri, token_count, checksum,
                                span_start, span_end, created_at, updated_at)
            VALUES ($id, $tenant, $doc, $kb, 1, $ordinal, $text, $title, $source, $tokens, $id, 0, 0, 0, 0);
            """, "$id", "$tenant", "$doc", "$kb", "$ordinal", "$text", "$title", "$source", "$tokens");
        var words = Words(new Random(1));
        var zipf = new Zipf(Vocabulary, new Random(2));
        var text = new StringBuilder();
        for (var d = 0; d * ChunksPerDocument < chunks; d++)
        {
            var source = $"bench://doc{d}";
            var id = DocumentIdentity.ForSource(Tenant, kb.Id, source);
            var title = $"{words[zipf.Next()]} {words[zipf.Next()]} {words[zipf.Next()]}";
            var count = Math.Min(ChunksPerDocument, chunks - d * ChunksPerDocument);
            await RunAsync(document, Tenant.Value, id.Value, kb.Id.Value, source, title, count);
            for (var c = 0; c < count; c++)
            {
                text.Clear();
                var length = 40 + zipf.Random.Next(41);
                for (var w = 0; w < length; w++) text.Append(words[zipf.Next()]).Append(w % 12 == 11 ? ". " : " ");
                await RunAsync(chunk, DocumentIdentity.ForChunk(id, 1, c).Value, Tenant.Value, id.Value, kb.Id.Value, c, text.ToString(), title, source, length);
            }
        }
        await transaction.CommitAsync();
    }

    private static SqliteCommand Insert(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters) command.Parameters.Add(new SqliteParameter { ParameterName = name });
        return command;
    }

    private static Task<int> RunAsync(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i];
        return command.ExecuteNonQueryAsync();
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Queries of 2–5 words from ranks 100–20,000: neither stopword-like nor absent.</summary>
    public static string[] Queries(int count)
    {
        var words = Words(new Random(1));
        var random = new Random(3);
        return Enumerable.Range(0, count).Select(_ => string.Join(' ',
            Enumerable.Range(0, 2 + random.Next(4)).Select(_ => words[(int)Math.Exp(Math.Log(100) + random.NextDouble() * (Math.Log(20_000) - Math.Log(100)))]))).ToArray();
    }

    /// <summary>Document and chunk ids of the corpus as the store names them (version 1 of every document).</summary>
    public static IEnumerable<(DocumentId Document, ChunkId Chunk)> ChunkIds(KnowledgeBase kb, int chunks)
    {
        for (var i = 0; i < chunks; i++)
        {
            var document = DocumentIdentity.ForSource(Tenant, kb.Id, $"bench://doc{i / ChunksPerDocument}");
            yield return (document, DocumentIdentity.ForChunk(document, 1, i % ChunksPerDocument));
        }
    }

    public static float[] RandomVector(Random random)
    {
        var v = new float[Dimension];
        for (var i = 0; i < v.Length; i++) v[i] = (float)(random.NextDouble() * 2 - 1);
        return v;
    }

    private static string[] Words(Random random)
    {
        const string Letters = "etaoinshrdlcumwfgypbvkjxqz";
        var set = new HashSet<string>(StringComparer.Ordinal);
        var chars = new char[12];
        while (set.Count < Vocabulary)
        {
            var length = 3 + random.Next(8);
            // Skewed letter choice, as in English: common letters dominate.
            for (var i = 0; i < length; i++) chars[i] = Letters[(int)(Letters.Length * Math.Pow(random.NextDouble(), 2))];
            set.Add(new string(chars, 0, length));
        }
        return [.. set];
    }

    /// <summary>Zipf(s = 1) by inverse transform over the precomputed cumulative distribution.</summary>
    private sealed class Zipf
    {
        private readonly double[] _cumulative;

        public Zipf(int n, Random random)
        {
            Random = random;
            _cumulative = new double[n];
            double sum = 0;
            for (var k = 1; k <= n; k++) _cumulative[k - 1] = sum += 1.0 / k;
            for (var k = 0; k < n; k++) _cumulative[k] /= sum;
        }

        public Random Random { get; }

        public int Next()
        {
            var index = Array.BinarySearch(_cumulative, Random.NextDouble());
            return Math.Min(_cumulative.Length - 1, index < 0 ? ~index : index);
        }
    }
}
