namespace Quarry.Embedding;

/// <summary>
/// What is embedded for a chunk: its document's title, then its text. A chunk cut from the middle of a document often
/// does not say what it is about; the title does (measured on SciFact with MiniLM: +0.014 nDCG@10 in fusion). Ingestion
/// and re-embedding both use this, so a chunk's vector is the same whichever made it.
/// </summary>
public static class EmbeddingText
{
    public static string ForChunk(string? title, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(title)) return text;
        title = title.Trim();
        // A chunk that opens with its heading trail ("# Title  …") already names the document.
        var opening = text.AsSpan().TrimStart().TrimStart('#').TrimStart();
        return opening.StartsWith(title, StringComparison.OrdinalIgnoreCase) ? text : title + "\n" + text;
    }
}
