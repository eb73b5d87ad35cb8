using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using Microsoft.Extensions.Options;
using A = DocumentFormat.OpenXml.Drawing;
using C = DocumentFormat.OpenXml.Drawing.Charts;
using P = DocumentFormat.OpenXml.Presentation;

namespace Quarry.Parsing;

/// <summary>
/// PowerPoint via OpenXml, one slide at a time: the slide number is the page (citations say "slide 3"), the title
/// placeholder becomes a heading, the other text frames follow in shape-tree order (groups flattened), tables become
/// tables and speaker notes close the slide as a quote marked "Notes:". The ZIP is checked for bombs before OpenXml
/// inflates anything, and the extracted text is counted while it is produced.
/// </summary>
internal sealed class PptxParser(IOptions<ParsingOptions> options) : IDocumentParser
{
    public IReadOnlyCollection<string> Extensions { get; } = [".pptx", ".pptm"];
    public IReadOnlyCollection<string> ContentTypes { get; } =
        ["application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/vnd.ms-powerpoint.presentation.macroEnabled.12"];

    public async Task<ParsedDocument> ParseAsync(ParserInput input, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var bytes = await ParserInputReader.ReadAllBytesAsync(input, settings.MaxFileBytes, cancellationToken).ConfigureAwait(false);
        ZipGuard.Check(bytes, input.FileName, settings.MaxUncompressedBytes);

        PresentationDocument presentation;
        try
        {
            presentation = PresentationDocument.Open(new MemoryStream(bytes, writable: false), false);
        }
        catch (Exception ex) when (ex is OpenXmlPackageException or InvalidDataException or FileFormatException or IOException)
        {
            throw new DocumentRejectedException(RejectionReason.Corrupt, $"'{input.FileName}' is not a readable PowerPoint presentation.", ex);
        }

        using (presentation)
        {
            var part = presentation.PresentationPart
                ?? throw new DocumentRejectedException(RejectionReason.Corrupt, $"'{input.FileName}' has no presentation part.");
            var slideIds = part.Presentation?.SlideIdList?.Elements<P.SlideId>().ToList() ?? [];
            var writer = new SlideWriter(new DocumentBuilder(), input.FileName, settings.MaxExtractedChars, cancellationToken);
            var number = 0;
            foreach (var slideId in slideIds)
            {
                number++;
                if (slideId.RelationshipId?.Value is not { } relationship) continue;
                if (!TryGetSlide(part, relationship, out var slidePart)) continue;
                writer.Slide(slidePart, number);
            }
            var title = presentation.PackageProperties.Title;
            return writer.Builder.Build(string.IsNullOrWhiteSpace(title) ? null : title, ParserInputReader.FallbackTitle(input.FileName))
                with { PageCount = number };
        }
    }

    private static bool TryGetSlide(PresentationPart part, string relationship, out SlidePart slide)
    {
        try
        {
            slide = (SlidePart)part.GetPartById(relationship);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or KeyNotFoundException or InvalidCastException)
        {
            // A dangling slide relationship: the rest of the deck is still worth reading.
            slide = null!;
            return false;
        }
    }

    private sealed class SlideWriter(DocumentBuilder builder, string fileName, int maxChars, CancellationToken cancellationToken)
    {
        public DocumentBuilder Builder => builder;

        public void Slide(SlidePart slidePart, int number)
        {
            cancellationToken.ThrowIfCancellationRequested();
            builder.CurrentPage = number;
            var tree = slidePart.Slide?.CommonSlideData?.ShapeTree;
            if (tree is null) return;

            var shapes = Flatten(tree).ToList();
            // The title goes first even when the author drew it after the body.
            var title = shapes.OfType<P.Shape>().FirstOrDefault(IsTitle);
            if (title is not null) Heading(title);
            foreach (var element in shapes)
            {
                switch (element)
                {
                    case P.Shape shape when ReferenceEquals(shape, title):
                        break;
                    case P.Shape shape:
                        TextBody(shape.TextBody, IsBodyPlaceholder(shape));
                        break;
                    case P.GraphicFrame frame:
                        foreach (var table in frame.Descendants<A.Table>()) Table(table);
                        foreach (var chart in frame.Descendants<C.ChartReference>()) Chart(slidePart, chart);
                        break;
                }
            }
            Notes(slidePart);
            builder.EndList();
        }

        private static IEnumerable<OpenXmlElement> Flatten(OpenXmlElement container)
        {
            foreach (var child in container.ChildElements)
            {
                if (child is P.GroupShape group)
                {
                    foreach (var nested in Flatten(group)) yield return nested;
                }
                else if (child is P.Shape or P.GraphicFrame)
                {
                    yield return child;
                }
            }
        }

        private void Heading(P.Shape shape)
        {
            var text = string.Join(" ", Paragraphs(shape.TextBody).Select(ParagraphText));
            Count(text);
            builder.EndList().AddHeading(text, 1);
        }

        private void TextBody(OpenXmlElement? body, bool bulletsByDefault)
        {
            var counters = new Dictionary<int, int>();
            foreach (var paragraph in Paragraphs(body))
            {
                var text = ParagraphText(paragraph);
                if (text.Trim().Length == 0) continue;
                Count(text);
                var properties = paragraph.ParagraphProperties;
                var level = properties?.Level?.Value ?? 0;
                if (properties?.GetFirstChild<A.AutoNumberedBullet>() is not null)
                {
                    foreach (var deeper in counters.Keys.Where(k => k > level).ToList()) counters.Remove(deeper);
                    counters[level] = counters.GetValueOrDefault(level) + 1;
                    builder.AddListItem(text, level, $"{counters[level]}.");
                }
                else if (properties?.GetFirstChild<A.CharacterBullet>() is not null
                    || properties?.GetFirstChild<A.PictureBullet>() is not null
                    || (bulletsByDefault && properties?.GetFirstChild<A.NoBullet>() is null))
                {
                    builder.AddListItem(text, level);
                }
                else
                {
                    counters.Clear();
                    builder.EndList().AddParagraph(text);
                }
            }
            builder.EndList();
        }

        private void Table(A.Table table)
        {
            var rows = new List<IReadOnlyList<string>>();
            List<string> previous = [];
            foreach (var row in table.Elements<A.TableRow>())
            {
                var cells = new List<string>();
                foreach (var cell in row.Elements<A.TableCell>())
                {
                    // Merged cells repeat the text of the cell they continue, as the other parsers render spans.
                    var text = cell.HorizontalMerge?.Value == true && cells.Count > 0 ? cells[^1]
                        : cell.VerticalMerge?.Value == true && cells.Count < previous.Count ? previous[cells.Count]
                        : string.Join(" ", Paragraphs(cell.TextBody).Select(ParagraphText).Where(t => t.Trim().Length > 0));
                    Count(text);
                    cells.Add(text);
                }
                rows.Add(cells);
                previous = cells;
            }
            builder.EndList().AddTable(rows);
        }

        /// <summary>A chart's title and the data behind it (the cached series values), as a table: categories are rows,
        /// series are columns.</summary>
        private void Chart(SlidePart slidePart, C.ChartReference reference)
        {
            if (reference.Id?.Value is not { } id) return;
            ChartPart? part;
            try
            {
                part = slidePart.GetPartById(id) as ChartPart;
            }
            catch (ArgumentOutOfRangeException)
            {
                return;
            }
            var space = part?.ChartSpace;
            if (space is null) return;
            var title = string.Join(" ", space.Descendants<C.Title>().Take(1).SelectMany(t => t.Descendants<A.Text>()).Select(t => t.Text));
            Count(title);
            builder.EndList().AddParagraph(title);

            var series = space.Descendants().Where(e => e.LocalName == "ser").ToList();
            if (series.Count == 0) return;
            var categories = Points(series[0].ChildElements.FirstOrDefault(e => e.LocalName == "cat"));
            var columns = series.Select(s => (Name: string.Join(" ", Points(s.ChildElements.FirstOrDefault(e => e.LocalName == "tx"))),
                Values: Points(s.ChildElements.FirstOrDefault(e => e.LocalName == "val")))).ToList();
            var header = new List<string> { "" };
            header.AddRange(columns.Select(c => c.Name));
            var rows = new List<IReadOnlyList<string>> { header };
            var count = Math.Max(categories.Count, columns.Max(c => c.Values.Count));
            for (var i = 0; i < count; i++)
            {
                var row = new List<string> { i < categories.Count ? categories[i] : "" };
                row.AddRange(columns.Select(c => i < c.Values.Count ? c.Values[i] : ""));
                Count(string.Concat(row));
                rows.Add(row);
            }
            builder.AddTable(rows);
        }

        private static List<string> Points(OpenXmlElement? container) =>
            container?.Descendants().Where(e => e.LocalName == "pt")
                .Select(pt => pt.ChildElements.FirstOrDefault(e => e.LocalName == "v")?.InnerText ?? "").ToList() ?? [];

        private void Notes(SlidePart slidePart)
        {
            var tree = slidePart.NotesSlidePart?.NotesSlide?.CommonSlideData?.ShapeTree;
            if (tree is null) return;
            var notes = Flatten(tree).OfType<P.Shape>()
                .Where(s => PlaceholderType(s) == P.PlaceholderValues.Body)
                .SelectMany(s => Paragraphs(s.TextBody))
                .Select(ParagraphText)
                .Where(t => t.Trim().Length > 0)
                .ToList();
            if (notes.Count == 0) return;
            var text = string.Join(" ", notes);
            Count(text);
            builder.EndList().AddQuote("Notes: " + text);
        }

        private long _chars;

        private void Count(string text)
        {
            _chars += text.Length;
            if (_chars > maxChars)
            {
                throw new DocumentRejectedException(RejectionReason.TooLarge,
                    $"'{fileName}' yields more than {maxChars:N0} characters of text (Parsing:MaxExtractedChars).");
            }
        }
    }

    private static IEnumerable<A.Paragraph> Paragraphs(OpenXmlElement? body) =>
        body?.Elements<A.Paragraph>() ?? Enumerable.Empty<A.Paragraph>();

    private static string ParagraphText(A.Paragraph paragraph)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var element in paragraph.ChildElements)
        {
            switch (element)
            {
                case A.Run run:
                    sb.Append(run.Text?.Text);
                    break;
                case A.Field field:
                    sb.Append(field.Text?.Text);
                    break;
                case A.Break:
                    sb.Append(' ');
                    break;
            }
        }
        return sb.ToString();
    }

    private static P.PlaceholderValues? PlaceholderType(P.Shape shape)
    {
        var placeholder = shape.NonVisualShapeProperties?.ApplicationNonVisualDrawingProperties?.PlaceholderShape;
        if (placeholder is null) return null;
        // A placeholder without a type is a body (object) placeholder.
        return placeholder.Type?.Value ?? P.PlaceholderValues.Body;
    }

    private static bool IsTitle(P.Shape shape) =>
        PlaceholderType(shape) is { } type && (type == P.PlaceholderValues.Title || type == P.PlaceholderValues.CenteredTitle);

    private static bool IsBodyPlaceholder(P.Shape shape) =>
        PlaceholderType(shape) is { } type && (type == P.PlaceholderValues.Body || type == P.PlaceholderValues.Object);
}
