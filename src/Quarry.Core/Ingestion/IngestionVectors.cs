namespace Quarry.Ingestion;

/// <summary>When ingestion embeds the chunks of a document, if an embedder is configured.</summary>
public enum IngestionVectors
{
    /// <summary>Stored without vectors, searchable by keyword at once; the vectors are filled afterwards (the server's
    /// background stage, or <c>quarry ingest</c> right after storing).</summary>
    Background,

    /// <summary>Embedded before the document is stored: nothing is searchable until its vectors exist.</summary>
    Inline,

    /// <summary>Stored without vectors and left so, until <c>quarry reindex</c> (or a server in Background mode) fills them.</summary>
    Off,
}
