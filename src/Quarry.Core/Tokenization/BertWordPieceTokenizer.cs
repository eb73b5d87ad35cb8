using System.Text;

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

    public BertWordPieceTokenizer(IReadOnlyList<string> vocabulary, bool doLowerCase = true)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        _tokens = [.. vocabulary];
        _lowerCase = doLowerCase;
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
        _wordStarts = starts.GetAlternateLookup<ReadOnlySpan<char>>();
        _continuations = continuations.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>bert-base-uncased, loaded once from the embedded vocabulary.</summary>
    public static BertWordPieceTokenizer Default => LazyDefault.Value;

    public int VocabularySize => _tokens.Length;

    /// <summary>Loads a Hugging Face vocab.txt: one token per line, the id is the line number.</summary>
    public static BertWordPieceTokenizer FromFile(string vocabPath, bool doLowerCase = true)
    {
        using var reader = new StreamReader(vocabPath, Encoding.UTF8);
        return new BertWordPieceTokenizer(ReadVocabulary(reader), doLowerCase);
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
        var sink = new ListSink(new List<int>(text.Length / 4 + 4));
        Run(text, ref sink);
        return sink.Ids;
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
        var pieces = new BertBasicTokenizer(text, _lowerCase, scratch);
        try
        {
            while (pieces.MoveNext()) WordPiece(pieces.Current, ref sink);
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
        void Add(int id);
        void Truncate(int count);
    }

    private struct CountSink : ITokenSink
    {
        public int Count { get; private set; }
        public void Add(int id) => Count++;
        public void Truncate(int count) => Count = count;
    }

    private readonly struct ListSink(List<int> ids) : ITokenSink
    {
        public List<int> Ids { get; } = ids;
        public int Count => Ids.Count;
        public void Add(int id) => Ids.Add(id);
        public void Truncate(int count) => Ids.RemoveRange(count, Ids.Count - count);
    }
}
