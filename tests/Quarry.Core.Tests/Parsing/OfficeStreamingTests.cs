using System.IO.Compression;
using System.Text;
using Quarry.Parsing;

namespace Quarry.Core.Tests.Parsing;

/// <summary>
/// XLSX and DOCX read forward-only: cell values and paragraph text are counted as they are read, in chunks, so one huge
/// cell, shared-string table or paragraph is rejected at the cap instead of being loaded first.
/// </summary>
public sealed class OfficeStreamingTests
{
    private const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    [Fact]
    public async Task Xlsx_cells_show_shared_and_inline_strings_numbers_dates_booleans_and_cached_formula_values()
    {
        var xlsx = Workbook(
            sheet: """
                <row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c><c r="D1" t="inlineStr"><is><t>Paid</t></is></c><c r="E1" t="s"><v>2</v></c></row>
                <row r="2"><c r="A2" t="inlineStr"><is><r><t>Ada </t></r><r><t>Lovelace</t></r><rPh><t>ignored</t></rPh></is></c><c r="C2" s="1"><v>45292</v></c><c r="D2" t="b"><v>1</v></c><c r="E2"><f>SUM(1,2.5)</f><v>3.5</v></c></row>
                """,
            sharedStrings: ["Name", "When", "Amount"],
            styles: """<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>""");

        var parsed = await ParsingTestHost.CreateSelector().ParseBytesAsync(xlsx, "people.xlsx");

        parsed.Text.Should().Contain("## Data")
            .And.Contain("| Name | When | Paid | Amount |")
            .And.Contain("| Ada Lovelace | 2024-01-01 | TRUE | 3.5 |");
        parsed.Text.Should().NotContain("ignored").And.NotContain("SUM");
    }

    [Fact]
    public async Task Xlsx_cell_larger_than_the_text_limit_is_rejected_while_it_is_read()
    {
        var xlsx = Workbook($"""<row r="1"><c r="A1" t="inlineStr"><is><t>{new string('x', 2_000_000)}</t></is></c></row>""", [], null);

        var act = () => ParsingTestHost.CreateSelector(o => o.MaxExtractedChars = 100_000).ParseBytesAsync(xlsx, "huge-cell.xlsx");

        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Message.Should().Contain("Parsing:MaxExtractedChars");
    }

    [Fact]
    public async Task Xlsx_shared_string_table_over_the_text_limit_is_rejected_though_few_cells_use_it()
    {
        var strings = Enumerable.Range(0, 20_000).Select(i => $"distinct shared string {i:D6}").ToList();
        var xlsx = Workbook("""<row r="1"><c r="A1" t="s"><v>0</v></c></row>""", strings, null);

        var act = () => ParsingTestHost.CreateSelector(o => o.MaxExtractedChars = 100_000).ParseBytesAsync(xlsx, "table.xlsx");

        (await act.Should().ThrowAsync<DocumentRejectedException>()).Which.Message.Should().Contain("shared-string table");
    }

    [Fact]
    public async Task Docx_paragraph_over_the_limits_is_rejected_before_it_is_loaded()
    {
        var oneRun = Docx($"<w:p><w:r><w:t>{new string('y', 2_000_000)}</w:t></w:r></w:p>");
        var manyRuns = Docx("<w:p>" + string.Concat(Enumerable.Repeat("<w:r><w:t>z</w:t></w:r>", 20_000)) + "</w:p>");

        var text = () => ParsingTestHost.CreateSelector(o => o.MaxExtractedChars = 100_000).ParseBytesAsync(oneRun, "long.docx");
        var elements = () => ParsingTestHost.CreateSelector(o => o.MaxElements = 10_000).ParseBytesAsync(manyRuns, "runs.docx");

        (await text.Should().ThrowAsync<DocumentRejectedException>()).Which.Message.Should().Contain("Parsing:MaxExtractedChars");
        (await elements.Should().ThrowAsync<DocumentRejectedException>()).Which.Message.Should().Contain("paragraph or table of more than 10,000 elements");
    }

    [Theory]
    [InlineData("yyyy-mm-dd", true)]
    [InlineData("[$-409]d-mmm-yy;@", true)]
    [InlineData("[h]:mm", true)]
    [InlineData("#,##0.00", false)]
    [InlineData("0.0\" days\"", false)]
    [InlineData("[Red]0.00", false)]
    [InlineData("General", false)]
    public void Number_formats_that_show_dates_are_recognized(string code, bool isDate) =>
        XlsxWorkbook.IsDateFormat(code).Should().Be(isDate);

    private static byte[] Workbook(string sheet, IReadOnlyList<string> sharedStrings, string? styles)
    {
        const string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        var parts = new Dictionary<string, string>
        {
            ["[Content_Types].xml"] = """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>""",
            ["_rels/.rels"] = $"""<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>""",
            ["xl/workbook.xml"] = $"""<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{Main}" xmlns:r="{rel}"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>""",
            ["xl/_rels/workbook.xml.rels"] = $"""<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/></Relationships>""",
            ["xl/worksheets/sheet1.xml"] = $"""<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{Main}"><sheetData>{sheet}</sheetData></worksheet>""",
            ["xl/sharedStrings.xml"] = $"""<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{Main}">{string.Concat(sharedStrings.Select(s => $"<si><t>{s}</t></si>"))}</sst>""",
            ["xl/styles.xml"] = $"""<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{Main}">{styles}</styleSheet>""",
        };
        return Zip(parts);
    }

    private static byte[] Docx(string body) => Zip(new Dictionary<string, string>
    {
        ["[Content_Types].xml"] = """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>""",
        ["_rels/.rels"] = """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>""",
        ["word/document.xml"] = $"""<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>""",
    });

    private static byte[] Zip(IReadOnlyDictionary<string, string> parts)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in parts)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name, CompressionLevel.Fastest).Open(), new UTF8Encoding(false));
                writer.Write(content);
            }
        }
        return output.ToArray();
    }
}
