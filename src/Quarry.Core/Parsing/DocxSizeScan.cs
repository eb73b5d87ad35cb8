using System.Xml;
using DocumentFormat.OpenXml.Packaging;

namespace Quarry.Parsing;

/// <summary>
/// A forward-only pass over a Word body before it is read block by block: <see cref="DocxParser"/> materializes one
/// paragraph or table at a time, so one block holding a 300 MB run of text (or millions of runs) would be loaded whole
/// before any cap saw it. Here text is read in chunks and counted against <see cref="ParsingOptions.MaxExtractedChars"/>,
/// and each top-level block's elements against <see cref="ParsingOptions.MaxElements"/>, so what the parser then loads
/// is bounded by the limits.
/// </summary>
internal static class DocxSizeScan
{
    public static void Check(MainDocumentPart main, ParsingOptions limits, string fileName, CancellationToken cancellationToken)
    {
        var text = new ExtractionBudget(limits.MaxExtractedChars, long.MaxValue, cancellationToken);
        using var reader = BoundedXml.Open(main.GetStream(FileMode.Open, FileAccess.Read));
        var bodyDepth = -1;
        long blockElements = 0;
        var inText = false;
        var buffer = new char[8192];
        while (reader.Read())
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    if (bodyDepth < 0 && reader.LocalName == "body") bodyDepth = reader.Depth;
                    if (reader.Depth == bodyDepth + 1) blockElements = 0;
                    if (++blockElements > limits.MaxElements)
                    {
                        throw new DocumentRejectedException(RejectionReason.TooLarge,
                            $"'{fileName}' has a paragraph or table of more than {limits.MaxElements:N0} elements (Parsing:MaxElements).");
                    }
                    inText = reader.LocalName == "t" && !reader.IsEmptyElement;
                    break;
                case XmlNodeType.EndElement:
                    inText = false;
                    break;
                case XmlNodeType.Text or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace or XmlNodeType.CDATA when inText:
                    int read;
                    while ((read = reader.ReadValueChunk(buffer, 0, buffer.Length)) > 0)
                        text.ChargeChars(read);
                    break;
            }
        }
    }
}
