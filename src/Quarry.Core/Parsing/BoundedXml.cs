using System.Text;
using System.Xml;

namespace Quarry.Parsing;

/// <summary>
/// Forward-only reading of an Office part's XML where no element and no text node is ever held whole: text is read in
/// chunks (<see cref="XmlReader.ReadValueChunk"/>) and charged to a budget as it arrives, so a single 300 MB cell or
/// paragraph is rejected after the cap's worth of characters, not after it was loaded.
/// </summary>
internal static class BoundedXml
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
    };

    public static XmlReader Open(Stream part) => XmlReader.Create(part, Settings);

    /// <summary>Reads the text inside the current element (the reader is on its start tag), keeping only text whose
    /// parent element is named <paramref name="textElement"/> (any when null) and skipping subtrees named
    /// <paramref name="skip"/>. Each chunk is passed to <paramref name="charge"/> first, which throws when over budget.
    /// Leaves the reader on the element's end tag.</summary>
    public static string ReadText(XmlReader reader, Action<long> charge, string? textElement = null, string? skip = null)
    {
        if (reader.IsEmptyElement) return "";
        var depth = reader.Depth;
        var parent = reader.LocalName;
        StringBuilder? text = null;
        char[]? buffer = null;
        var more = reader.Read();
        while (more)
        {
            if (reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth) return text?.ToString() ?? "";
            if (reader.NodeType == XmlNodeType.Element && skip is not null && reader.LocalName == skip && !reader.IsEmptyElement)
            {
                // Skip leaves the reader on the node after the subtree already.
                reader.Skip();
                more = !reader.EOF;
                continue;
            }
            if (reader.NodeType == XmlNodeType.Element)
            {
                parent = reader.LocalName;
            }
            else if (reader.NodeType is XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace
                     && (textElement is null || parent == textElement))
            {
                buffer ??= new char[8192];
                text ??= new StringBuilder();
                int read;
                while ((read = reader.ReadValueChunk(buffer, 0, buffer.Length)) > 0)
                {
                    charge(read);
                    text.Append(buffer, 0, read);
                }
            }
            more = reader.Read();
        }
        return text?.ToString() ?? "";
    }

    /// <summary>The value of the attribute with this local name, whatever its namespace prefix.</summary>
    public static string? Attribute(XmlReader reader, string localName, bool prefixed = false)
    {
        if (!reader.HasAttributes) return null;
        for (var i = 0; i < reader.AttributeCount; i++)
        {
            reader.MoveToAttribute(i);
            if (reader.LocalName == localName && (reader.Prefix.Length > 0) == prefixed)
            {
                var value = reader.Value;
                reader.MoveToElement();
                return value;
            }
        }
        reader.MoveToElement();
        return null;
    }
}
