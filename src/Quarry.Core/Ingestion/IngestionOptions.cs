using System.ComponentModel.DataAnnotations;

namespace Quarry.Ingestion;

public sealed class IngestionOptions
{
    public const string SectionName = "Ingestion";

    /// <summary>Parse/chunk workers; defaults to the number of cores. Storing is one writer (SQLite allows one).</summary>
    [Range(1, 64)]
    public int Parallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>Documents buffered between stages; bounds memory when parsing outruns storing.</summary>
    [Range(1, 1024)]
    public int QueueCapacity { get; set; } = 16;

    /// <summary>How long the single writer waits for more prepared documents before it commits a batch that is not
    /// full (64 documents or 4 MB). Small documents then share a commit (each commit writes its own keyword-index
    /// segment); a slow document delays the commit of those prepared before it by at most this. Zero commits whatever
    /// is waiting at once.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan BatchLinger { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Files up to this size are read once into memory (hash and parse from one buffer);
    /// larger files are streamed twice instead of buffered.</summary>
    [Range(0, int.MaxValue)]
    public int InMemoryThresholdBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>Wall-clock budget for one document: reading, parsing, chunking and embedding. A document over it fails
    /// with <c>timeout</c>; parsers notice it wherever they produce text or elements.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan JobTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>CPU budget for parsing and chunking one document, counting its converters (pdftotext, tesseract) too.
    /// A document over it fails with <c>cpu-budget</c>. Unlike <see cref="JobTimeout"/> it does not grow when the
    /// machine is busy: waiting for a core costs nothing. On Linux it is the kernel's per-thread CPU clock; elsewhere
    /// the elapsed time of the document's thread (an upper bound).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan JobCpuBudget { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>When chunks get their vectors. Inline here, since only a host knows whether something fills them in
    /// later; Quarry's server and CLI default to <see cref="IngestionVectors.Background"/> (QuarryEngine).</summary>
    [EnumDataType(typeof(IngestionVectors))]
    public IngestionVectors Vectors { get; set; } = IngestionVectors.Inline;

    /// <summary>Skip files and folders whose name starts with '.' when walking a directory (e.g. .git).</summary>
    public bool SkipHiddenFiles { get; set; } = true;
}
