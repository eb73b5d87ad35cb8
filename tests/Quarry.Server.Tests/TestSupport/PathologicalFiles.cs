using System.IO.Compression;
using System.Text;

namespace Quarry.Server.Tests.TestSupport;

/// <summary>
/// Hostile inputs of the kinds issue 13 found stalling ingestion, generated at a size CI can afford: the shapes
/// (depth, counts, ratios) are what make them expensive, not their byte size.
/// </summary>
internal static class PathologicalFiles
{
    /// <summary>Block quotes nested <paramref name="levels"/> deep on every line.</summary>
    public static byte[] DeepMarkdown(int levels, int lines)
    {
        var line = new string('>', levels) + " deep\n";
        var sb = new StringBuilder(line.Length * lines);
        for (var i = 0; i < lines; i++) sb.Append(line);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static byte[] DeepHtml(int levels) => Encoding.UTF8.GetBytes(
        "<html><body>" + string.Concat(Enumerable.Repeat("<div>", levels)) + "x" + string.Concat(Enumerable.Repeat("</div>", levels)) + "</body></html>");

    public static byte[] ManyHeadings(int count)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < count; i++) sb.Append("# Heading ").Append(i).Append("\n\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>One line of <paramref name="length"/> characters with no space or punctuation.</summary>
    public static byte[] GiantToken(int length) => Encoding.ASCII.GetBytes(new string('a', length) + "\n");

    /// <summary>
    /// A DOCX whose text is pseudo-random letters, so it compresses only a few times: it passes the zip-bomb ratio check
    /// and expands into far more text than the extraction limit. <paramref name="paragraphs"/> × 1,000 characters.
    /// </summary>
    public static byte[] LowRatioDocx(int paragraphs)
    {
        var random = new Random(13);
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            Write(zip, "[Content_Types].xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>
                """);
            Write(zip, "_rels/.rels", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>
                """);
            var entry = zip.CreateEntry("word/document.xml", CompressionLevel.Fastest);
            using var writer = new StreamWriter(entry.Open(), new UTF8Encoding(false));
            writer.Write("""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>""");
            var text = new char[1000];
            for (var p = 0; p < paragraphs; p++)
            {
                for (var c = 0; c < text.Length; c++) text[c] = c % 7 == 6 ? ' ' : (char)('a' + random.Next(26));
                writer.Write("<w:p><w:r><w:t>");
                writer.Write(text);
                writer.Write("</w:t></w:r></w:p>");
            }
            writer.Write("</w:body></w:document>");
        }
        return output.ToArray();
    }

    private static void Write(ZipArchive zip, string name, string content)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
        writer.Write(content);
    }
}
