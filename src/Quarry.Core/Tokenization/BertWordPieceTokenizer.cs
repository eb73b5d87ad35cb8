using System.Text;
using System.Text.Json;

namespace Quarry.Tokenization;

/// <summary>
/// The uncased BERT WordPiece tokenizer, token for token the same as Hugging Face's <c>BertTokenizer</c> /
/// <c>BertTokenizerFast</c>: <see cref="BertBasicTokenizer"/> then greedy longest-match-first WordPiece with "##"
/// continuations. Counting allocates nothing per token: vocabulary lookups take spans of stack or pooled buffers.
/// </summary>
internal sealed class BertWordPieceTokenizer : ITokenCounter
{
    public const string DefaultVocabResource = "Quarry.Tokenization.bert-base-uncased-vocab.txt";
    public const string UnknownToken = "[UNK]";

    /// <summary>Words longer than this (in code points) become one [UNK], as in Hugging Face.</summary>
    public const int MaxInputCharsPerWord = 100;

    private const int ScratchChars = 512;

    private static readonly Lazy<BertWordPieceTokenizer> LazyDefault = new(LoadDefault);

    private readonly string[] _tokens;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _wordStarts;
    // Continuation pieces keyed without their "##", so a lookup is a slice of the word rather than a copy.
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _continuations;
    private readonly int _longestPiece;
    private readonly int _unknownId;
    private readonly bool _lowerCase;
    private readonly bool _stripAccents;
    private readonly Dictionary<string, int> _ids;

    /// <param name="stripAccents">Null follows <paramref name="doLowerCase"/>, as in Hugging Face.</param>
    public BertWordPieceTokenizer(IReadOnlyList<string> vocabulary, bool doLowerCase = true, bool? stripAccents = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        _tokens = [.. vocabulary];
        _lowerCase = doLowerCase;
        _stripAccents = stripAccents ?? doLowerCase;
        var starts = new Dictionary<string, int>(_tokens.Length, StringComparer.Ordinal);
        var continuations = new Dictionary<string, int>(_tokens.Length / 4, StringComparer.Ordinal);
        for (var id = 0; id < _tokens.Length; id++)
        {
            // Later duplicates win, as in Hugging Face's load_vocab.
            var token = _tokens[id];
            starts[token] = id;
            _longestPiece = Math.Max(_longestPiece, token.Length);
            if (token.Length > 2 && token.StartsWith("##", StringComparison.Ordinal)) continuations[token[2..]] = id;
        }
        if (!starts.TryGetValue(UnknownToken, out _unknownId))
        {
            throw new InvalidDataException($"The WordPiece vocabulary has no {UnknownToken} token.");
        }
        _ids = starts;
        _wordStarts = starts.GetAlternateLookup<ReadOnlySpan<char>>();
        _continuations = continuations.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>bert-base-uncased, loaded once from the embedded vocabulary.</summary>
    public static BertWordPieceTokenizer Default => LazyDefault.Value;

    public int VocabularySize => _tokens.Length;

    /// <summary>Loads a Hugging Face vocab.txt: one token per line, the id is the line number.</summary>
    public static BertWordPieceTokenizer FromFile(string vocabPath, bool doLowerCase = true, bool? stripAccents = null)
    {
        using var reader = new StreamReader(vocabPath, Encoding.UTF8);
        return new BertWordPieceTokenizer(ReadVocabulary(reader), doLowerCase, stripAccents);
    }

    /// <summary>
    /// Loads a Hugging Face <c>tokenizer.json</c> of the BERT family (BertNormalizer, BertPreTokenizer, WordPiece);
    /// anything else is refused, since encoding it as BERT would silently produce wrong ids.
    /// </summary>
    public static BertWordPieceTokenizer FromTokenizerJson(string path)
    {
        using var stream = File.OpenRead(path);
        using var json = JsonDocument.Parse(stream);
        var root = json.RootElement;
        var model = root.GetProperty("model");
        var type = model.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (type != "WordPiece")
            throw new InvalidDataException($"{path}: the tokenizer model is {type ?? "(unnamed)"}; only BERT WordPiece tokenizers are supported.");
        if (model.TryGetProperty("continuing_subword_prefix", out var prefix) && prefix.GetString() != "##")
            throw new InvalidDataException($"{path}: WordPiece continuation prefix '{prefix.GetString()}' is not supported (expected '##').");
        if (model.TryGetProperty("unk_token", out var unk) && unk.GetString() != UnknownToken)
            throw new InvalidDataException($"{path}: unknown token '{unk.GetString()}' is not supported (expected '{UnknownToken}').");

        var (lowerCase, stripAccents) = ReadNormalizer(path, root);
        if (root.TryGetProperty("pre_tokenizer", out var pre) && pre.ValueKind == JsonValueKind.Object
            && pre.GetProperty("type").GetString() is var preType && preType != "BertPreTokenizer")
            throw new InvalidDataException($"{path}: pre-tokenizer {preType} is not supported (expected BertPreTokenizer).");

        var vocab = model.GetProperty("vocab");
        var size = 0;
        foreach (var entry in vocab.EnumerateObject()) size = Math.Max(size, entry.Value.GetInt32() + 1);
        var tokens = new string[size];
        foreach (var entry in vocab.EnumerateObject()) tokens[entry.Value.GetInt32()] = entry.Name;
        for (var i = 0; i < tokens.Length; i++)
        {
            // A hole in the ids would shift every later token; no real vocabulary has one.
            if (tokens[i] is null) throw new InvalidDataException($"{path}: the vocabulary has no token with id {i}.");
        }
        return new BertWordPieceTokenizer(tokens, lowerCase, stripAccents);
    }

    private static (bool LowerCase, bool? StripAccents) ReadNormalizer(string path, JsonElement root)
    {
        if (!root.TryGetProperty("normalizer", out var normalizer) || normalizer.ValueKind != JsonValueKind.Object)
            return (false, false);
        var type = normalizer.GetProperty("type").GetString();
        if (type != "BertNormalizer")
            throw new InvalidDataException($"{path}: normalizer {type} is not supported (expected BertNormalizer).");
        if (normalizer.TryGetProperty("handle_chinese_chars", out var cjk) && cjk.ValueKind == JsonValueKind.False)
            throw new InvalidDataException($"{path}: BertNormalizer without handle_chinese_chars is not supported.");
        var lowerCase = !normalizer.TryGetProperty("lowercase", out var lc) || lc.ValueKind != JsonValueKind.False;
        bool? strip = normalizer.TryGetProperty("strip_accents", out var sa) && sa.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? sa.ValueKind == JsonValueKind.True
            : null;
        return (lowerCase, strip);
    }

    /// <summary>The id of a vocabulary entry such as "[CLS]", or null when the vocabulary lacks it.</summary>
    public int? IdOf(string token) => _ids.TryGetValue(token, out var id) ? id : null;

    /// <summary>Appends the ids of <paramref name="text"/> (no special tokens) to <paramref name="ids"/>, at most
    /// <paramref name="maxTokens"/> of them: the rest of a long text is not tokenized at all.</summary>
    public void EncodeInto(ReadOnlySpan<char> text, List<int> ids, int maxTokens = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var start = ids.Count;
        var sink = new ListSink(ids, start, maxTokens);
        Run(text, ref sink);
        if (ids.Count - start > maxTokens) ids.RemoveRange(start + maxTokens, ids.Count - start - maxTokens);
    }

    public int CountTokens(ReadOnlySpan<char> text)
    {
        var sink = new CountSink();
        Run(text, ref sink);
        return sink.Count;
    }

    /// <summary>Token ids, without [CLS]/[SEP].</summary>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 4 + 4);
        EncodeInto(text, ids);
        return ids;
    }

    public IReadOnlyList<string> Tokenize(string text)
    {
        var ids = Encode(text);
        var tokens = new string[ids.Count];
        for (var i = 0; i < tokens.Length; i++) tokens[i] = _tokens[ids[i]];
        return tokens;
    }

    public string TokenOf(int id) => _tokens[id];

    private void Run<TSink>(ReadOnlySpan<char> text, ref TSink sink) where TSink : struct, ITokenSink
    {
        Span<char> scratch = stackalloc char[ScratchChars];
        var pieces = new BertBasicTokenizer(text, _lowerCase, _stripAccents, scratch);
        try
        {
            while (!sink.Full && pieces.MoveNext()) WordPiece(pieces.Current, ref sink);
        }
        finally
        {
            pieces.Dispose();
        }
    }

    /// <summary>
    /// Greedy longest-match-first split of one basic-tokenizer piece. If any position has no match the whole piece
    /// is [UNK], so ids already emitted for it are taken back.
    /// </summary>
    private void WordPiece<TSink>(ReadOnlySpan<char> word, ref TSink sink) where TSink : struct, ITokenSink
    {
        if (word.Length > MaxInputCharsPerWord && CodePoints(word) > MaxInputCharsPerWord)
        {
            sink.Add(_unknownId);
            return;
        }
        if (_wordStarts.TryGetValue(word, out var whole))
        {
            sink.Add(whole);
            return;
        }

        var mark = sink.Count;
        var start = 0;
        while (start < word.Length)
        {
            var lookup = start == 0 ? _wordStarts : _continuations;
            // Nothing longer than the longest vocabulary entry can match, so the search starts there.
            var end = Math.Min(word.Length, start + _longestPiece);
            if (end < word.Length && char.IsLowSurrogate(word[end])) end--;
            var found = -1;
            while (end > start)
            {
                if (lookup.TryGetValue(word[start..end], out var id))
                {
                    found = id;
                    break;
                }
                end -= end - start >= 2 && char.IsLowSurrogate(word[end - 1]) && char.IsHighSurrogate(word[end - 2]) ? 2 : 1;
            }
            if (found < 0)
            {
                sink.Truncate(mark);
                sink.Add(_unknownId);
                return;
            }
            sink.Add(found);
            start = end;
        }
    }

    private static int CodePoints(ReadOnlySpan<char> text)
    {
        var count = text.Length;
        for (var i = 1; i < text.Length; i++)
        {
            if (char.IsLowSurrogate(text[i]) && char.IsHighSurrogate(text[i - 1])) count--;
        }
        return count;
    }

    private static List<string> ReadVocabulary(TextReader reader)
    {
        var tokens = new List<string>(32_000);
        while (reader.ReadLine() is { } line) tokens.Add(line);
        return tokens;
    }

    private static BertWordPieceTokenizer LoadDefault()
    {
        using var stream = typeof(BertWordPieceTokenizer).Assembly.GetManifestResourceStream(DefaultVocabResource)
            ?? throw new InvalidOperationException($"Embedded resource {DefaultVocabResource} is missing from {typeof(BertWordPieceTokenizer).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return new BertWordPieceTokenizer(ReadVocabulary(reader));
    }

    private interface ITokenSink
    {
        int Count { get; }
        bool Full { get; }
        void Add(int id);
        void Truncate(int count);
    }

    private struct CountSink : ITokenSink
    {
        public int Count { get; private set; }
        public readonly bool Full => false;
        public void Add(int id) => Count++;
        public void Truncate(int count) => Count = count;
    }

    /// <summary>Appends to a list that may already hold ids (of an earlier segment); counts only its own.</summary>
    private readonly struct ListSink(List<int> ids, int start, int limit) : ITokenSink
    {
        public int Count => ids.Count - start;
        public bool Full => Count >= limit;
        public void Add(int id) => ids.Add(id);
        public void Truncate(int count) => ids.RemoveRange(start + count, ids.Count - start - count);
    }
}
