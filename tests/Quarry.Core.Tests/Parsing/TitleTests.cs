using System.Text;
using Quarry.Parsing;

namespace Quarry.Core.Tests.Parsing;

/// <summary>Titles: the document's own metadata first, then its first heading, then the file name; one capped line.</summary>
public class TitleTests
{
    [Fact]
    public async Task A_pdf_title_comes_from_its_document_information()
    {
        var pdf = MinimalPdf(title: "Quarterly Safety Report", body: "Body text of the report, not its title.");

        var parsed = await ParsingTestHost.CreateSelector().ParseBytesAsync(pdf, "report.pdf");

        parsed.Title.Should().Be("Quarterly Safety Report");
    }

    [Fact]
    public async Task A_pdf_without_a_title_falls_back_to_a_one_line_opening_or_the_file_name()
    {
        var pdf = MinimalPdf(title: null, body: "Safety Report");

        var parsed = await ParsingTestHost.CreateSelector().ParseBytesAsync(pdf, "report.pdf");

        parsed.Title.Should().Be("Safety Report");
    }

    [Fact]
    public void A_wrapped_opening_paragraph_is_not_taken_as_a_pdf_title()
    {
        var parsed = PdfParser.Build("This first paragraph is body text\nwrapped over several lines\nof the page.\n\nMore.", "notes.pdf");

        parsed.Title.Should().Be("notes");
    }

    /// <summary>A one-page PDF with correct cross-reference offsets, optionally with an Info dictionary title.</summary>
    private static byte[] MinimalPdf(string? title, string body)
    {
        var content = $"BT /F1 12 Tf 72 720 Td ({body}) Tj ET";
        var objects = new List<string>
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            $"<< /Length {content.Length} >>\nstream\n{content}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        };
        if (title is not null) objects.Add($"<< /Title ({title}) >>");
        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Count; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append(i + 1).Append(" 0 obj\n").Append(objects[i]).Append("\nendobj\n");
        }
        var xref = pdf.Length;
        pdf.Append("xref\n0 ").Append(objects.Count + 1).Append("\n0000000000 65535 f \n");
        foreach (var offset in offsets) pdf.Append(offset.ToString("D10", System.Globalization.CultureInfo.InvariantCulture)).Append(" 00000 n \n");
        pdf.Append("trailer\n<< /Size ").Append(objects.Count + 1).Append(" /Root 1 0 R");
        if (title is not null) pdf.Append(" /Info 6 0 R");
        pdf.Append(" >>\nstartxref\n").Append(xref).Append("\n%%EOF\n");
        return Encoding.ASCII.GetBytes(pdf.ToString());
    }
}
