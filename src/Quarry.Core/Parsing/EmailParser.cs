using System.Globalization;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Quarry.Parsing;

/// <summary>
/// Email messages (.eml, RFC 5322 via MimeKit): the subject is the title and the first heading, From/To/Cc/Date open the
/// text, then the body (the plain-text part, else the HTML part through the HTML parser), then the attachments' names.
/// The attachments themselves go out unparsed in <see cref="ParsedDocument.Attachments"/>: the ingestor stores each one
/// its parsers can read as a child document of the message (an attached email's own attachments stay names in it).
/// Sender, recipients, date and message id also become document tags (<c>email.from</c>, …) through <see cref="ParsedDocument.Metadata"/>.
/// </summary>
internal sealed class EmailParser(IOptions<ParsingOptions> options, Lazy<DocumentParserSelector> selector) : IDocumentParser
{
    /// <summary>Attachments past this many are named in the message but not ingested.</summary>
    internal const int MaxAttachments = 100;

    public IReadOnlyCollection<string> Extensions { get; } = [".eml"];
    public IReadOnlyCollection<string> ContentTypes { get; } = ["message/rfc822"];

    public async Task<ParsedDocument> ParseAsync(ParserInput input, CancellationToken cancellationToken)
    {
        var bytes = await ParserInputReader.ReadAllBytesAsync(input, options.Value.MaxFileBytes, cancellationToken).ConfigureAwait(false);
        if (FileSignature.Detect(bytes) != SignatureKind.Text)
        {
            throw new DocumentRejectedException(RejectionReason.Binary, $"'{input.FileName}' is not an email message (binary content).");
        }

        MimeMessage message;
        try
        {
            message = await MimeMessage.LoadAsync(new MemoryStream(bytes, writable: false), cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException ex)
        {
            throw new DocumentRejectedException(RejectionReason.Corrupt, $"'{input.FileName}' is not a readable email message: {ex.Message}", ex);
        }
        using (message)
        {
            if (message.Headers.Count == 0 || (message.From.Count == 0 && string.IsNullOrWhiteSpace(message.Subject) && message.Date == default))
            {
                throw new DocumentRejectedException(RejectionReason.Corrupt, $"'{input.FileName}' has no email headers (From, Subject, Date).");
            }
            var builder = new DocumentBuilder();
            var subject = string.IsNullOrWhiteSpace(message.Subject) ? null : message.Subject.Trim();
            if (subject is not null) builder.AddHeading(subject, 1);
            Headers(builder, message);
            await BodyAsync(builder, message, input.FileName, cancellationToken).ConfigureAwait(false);
            var attachments = await AttachmentsAsync(builder, message, cancellationToken).ConfigureAwait(false);
            return builder.Build(subject, ParserInputReader.FallbackTitle(input.FileName)) with
            {
                Metadata = Metadata(message),
                Attachments = attachments,
            };
        }
    }

    /// <summary>Sender, recipients and date as document tags, so searches can filter on them (addresses only, lower case).</summary>
    private static Dictionary<string, string> Metadata(MimeMessage message)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string key, InternetAddressList list)
        {
            var addresses = list.Mailboxes.Select(m => m.Address.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
            if (addresses.Count > 0) tags[key] = string.Join(",", addresses);
        }
        Add("email.from", message.From);
        Add("email.to", message.To);
        Add("email.cc", message.Cc);
        if (message.Date != default) tags["email.date"] = message.Date.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        if (message.MessageId is { Length: > 0 } id) tags["email.message-id"] = id;
        return tags;
    }

    private static void Headers(DocumentBuilder builder, MimeMessage message)
    {
        void Line(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value)) builder.AddListItem($"{name}: {value}");
        }
        Line("From", message.From.ToString());
        Line("To", message.To.ToString());
        Line("Cc", message.Cc.ToString());
        Line("Date", message.Date == default ? null : message.Date.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture));
        builder.EndList();
    }

    private async Task BodyAsync(DocumentBuilder builder, MimeMessage message, string fileName, CancellationToken cancellationToken)
    {
        var text = message.TextBody;
        if (!string.IsNullOrWhiteSpace(text))
        {
            foreach (var paragraph in PlainTextParser.SplitParagraphs(text)) builder.AddParagraph(paragraph);
            return;
        }
        var html = message.HtmlBody;
        if (string.IsNullOrWhiteSpace(html)) return;
        var bytes = System.Text.Encoding.UTF8.GetBytes(html);
        var body = await selector.Value.ParseAsync(new ParserInput(new MemoryStream(bytes), fileName + ".html", "text/html", bytes.Length),
            cancellationToken).ConfigureAwait(false);
        DocumentAppender.Append(builder, body, 1);
    }

    /// <summary>Names every attachment under an "Attachments" heading and hands the parseable-looking ones (not empty, at
    /// most <see cref="MaxAttachments"/>) to the ingestor, which stores each as a child document of the message.</summary>
    private static async Task<List<ParsedAttachment>> AttachmentsAsync(DocumentBuilder builder, MimeMessage message, CancellationToken cancellationToken)
    {
        var attachments = new List<ParsedAttachment>();
        var number = 0;
        foreach (var entity in message.Attachments)
        {
            number++;
            var (name, bytes) = await ContentAsync(entity, number, cancellationToken).ConfigureAwait(false);
            if (number == 1) builder.AddHeading("Attachments", 2);
            builder.AddListItem($"Attachment {number}: {name}");
            if (bytes.Length > 0 && attachments.Count < MaxAttachments)
                attachments.Add(new ParsedAttachment(number, name, ContentTypeOf(entity, name), bytes));
        }
        builder.EndList();
        return attachments;
    }

    private static async Task<(string Name, byte[] Bytes)> ContentAsync(MimeEntity entity, int number, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        switch (entity)
        {
            case MessagePart { Message: { } inner }:
                await inner.WriteToAsync(buffer, cancellationToken).ConfigureAwait(false);
                var subject = string.IsNullOrWhiteSpace(inner.Subject) ? $"message-{number}" : inner.Subject;
                return (Path.ChangeExtension(SafeName(subject), ".eml"), buffer.ToArray());
            case MimePart { Content: { } content } part:
                await content.DecodeToAsync(buffer, cancellationToken).ConfigureAwait(false);
                return (SafeName(part.FileName ?? $"attachment-{number}"), buffer.ToArray());
            default:
                return ($"attachment-{number}", []);
        }
    }

    /// <summary>Media types the parsers know are trusted; "application/octet-stream" defers to the file name.</summary>
    private static string? ContentTypeOf(MimeEntity entity, string name)
    {
        if (entity is MessagePart) return "message/rfc822";
        var type = entity.ContentType?.MimeType;
        return type is null || type.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase) ? null : type;
    }

    private static string SafeName(string name)
    {
        var file = Path.GetFileName(name.Replace('\\', '/'));
        foreach (var c in Path.GetInvalidFileNameChars()) file = file.Replace(c, '_');
        return file.Length == 0 ? "attachment" : file;
    }
}
