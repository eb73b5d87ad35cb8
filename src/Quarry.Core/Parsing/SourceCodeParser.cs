using Microsoft.Extensions.Options;
using Quarry.Parsing.Code;

namespace Quarry.Parsing;

/// <summary>
/// Source files, one section per class and function: each declaration becomes a heading one level below its container,
/// so chunk heading trails read like symbol paths (<c>Billing › InvoiceService › Refund</c>), and its code (with the doc
/// comments and attributes above it) a fenced code block. Declarations are found by a per-language scanner over the
/// text with comments and strings blanked; no compiler is involved, so exotic syntax degrades to bigger sections.
/// </summary>
internal sealed class SourceCodeParser(IOptions<ParsingOptions> options) : IDocumentParser
{
    public IReadOnlyCollection<string> Extensions { get; } = [.. CodeLanguage.ByExtension.Keys];

    public IReadOnlyCollection<string> ContentTypes { get; } =
        ["text/x-csharp", "text/x-python", "text/x-java", "text/x-go", "text/x-rust", "text/x-ruby", "text/x-kotlin", "text/x-c", "text/x-c++",
         "text/javascript", "application/javascript", "text/typescript", "application/typescript"];

    public async Task<ParsedDocument> ParseAsync(ParserInput input, CancellationToken cancellationToken)
    {
        var bytes = await ParserInputReader.ReadAllBytesAsync(input, options.Value.MaxFileBytes, cancellationToken).ConfigureAwait(false);
        var text = TextDecoding.Decode(bytes, input.FileName).Replace("\r\n", "\n", StringComparison.Ordinal);
        var language = LanguageOf(input);
        return Parse(text, language, input.FileName, cancellationToken);
    }

    internal static ParsedDocument Parse(string text, CodeLanguage language, string fileName, CancellationToken cancellationToken)
    {
        var lines = text.Split('\n');
        var masked = CodeMasker.Mask(text, language).Split('\n');
        var declarations = CodeOutline.Find(lines, masked, language);
        var builder = new DocumentBuilder();
        new Emitter(builder, lines, masked, language.Name, cancellationToken).Emit(0, lines.Length - 1, declarations, 1);
        return builder.Build(fileName);
    }

    private static CodeLanguage LanguageOf(ParserInput input)
    {
        if (CodeLanguage.ByExtension.TryGetValue(Path.GetExtension(input.FileName), out var byName)) return byName;
        var type = input.ContentType?.Split(';', 2)[0].Trim().ToLowerInvariant() ?? "";
        return type switch
        {
            "text/x-csharp" => CodeLanguage.CSharp,
            "text/x-python" => CodeLanguage.Python,
            "text/x-java" => CodeLanguage.Java,
            "text/x-go" => CodeLanguage.Go,
            "text/x-rust" => CodeLanguage.Rust,
            "text/x-ruby" => CodeLanguage.Ruby,
            "text/x-kotlin" => CodeLanguage.Kotlin,
            "text/x-c" or "text/x-c++" => CodeLanguage.CFamily,
            _ => CodeLanguage.TypeScript,
        };
    }

    private sealed class Emitter(DocumentBuilder builder, string[] lines, string[] masked, string language, CancellationToken cancellationToken)
    {
        public void Emit(int from, int to, List<Declaration> children, int level)
        {
            var cursor = from;
            foreach (var child in children.OrderBy(c => c.StartLine))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (child.StartLine < cursor) continue;
                var start = LeadingTrivia(child.StartLine, cursor);
                Code(cursor, start - 1);
                builder.AddHeading(child.Name, level);
                var end = Math.Min(Math.Max(child.EndLine, child.StartLine), to);
                Emit(start, end, child.Children, level + 1);
                cursor = end + 1;
            }
            Code(cursor, to);
        }

        /// <summary>Doc comments, attributes and decorators directly above a declaration belong to it.</summary>
        private int LeadingTrivia(int line, int floor)
        {
            var start = line;
            while (start - 1 >= floor)
            {
                var original = lines[start - 1].Trim();
                var code = masked[start - 1].Trim();
                var isComment = original.Length > 0 && code.Length == 0;
                var isAttribute = original.StartsWith('@') || original.StartsWith('[') || original.StartsWith("#[", StringComparison.Ordinal);
                if (!isComment && !isAttribute) break;
                start--;
            }
            return start;
        }

        private void Code(int from, int to)
        {
            if (from > to) return;
            var segment = string.Join('\n', lines[from..(to + 1)]);
            var meaningful = string.Join('\n', masked[from..(to + 1)]).Any(c => !char.IsWhiteSpace(c) && c is not ('{' or '}' or '(' or ')' or ';' or ','))
                || segment.Trim().Length > 0 && masked[from..(to + 1)].All(m => m.Trim().Length == 0) && segment.Trim().Length > 2;
            if (meaningful) builder.AddCode(segment, language);
        }
    }
}
