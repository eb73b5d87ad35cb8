namespace Quarry.Tokenization;

/// <summary>
/// Counts model tokens in text. Chunk sizes and prompt budgets are expressed in these tokens, so the counter must be
/// the real tokenizer of the model family in use (the default is BERT WordPiece, shared by the common small
/// retrieval models), not a character heuristic.
/// </summary>
public interface ITokenCounter
{
    /// <summary>Tokens in <paramref name="text"/>, without special tokens such as [CLS]/[SEP].</summary>
    int CountTokens(ReadOnlySpan<char> text);
}
