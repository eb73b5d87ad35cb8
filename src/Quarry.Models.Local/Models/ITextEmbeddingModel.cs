namespace Quarry.Models.Local.Models;

/// <summary>A loaded embedding model: texts in, one vector each out (synchronous, CPU-bound).</summary>
internal interface ITextEmbeddingModel
{
    int Dimension { get; }

    /// <summary>The longest input in model tokens; longer texts are truncated.</summary>
    int MaxSequenceLength { get; }

    float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken);
}
