using System.Text.RegularExpressions;

namespace Quarry.Parsing.Code;

/// <summary>A declaration found in source: its name, the lines it spans (0-based, inclusive) and what it contains.</summary>
internal sealed class Declaration(string name, int startLine, bool isType, int depth)
{
    public string Name { get; } = name;
    public int StartLine { get; set; } = startLine;
    public int EndLine { get; set; } = -1;
    public bool IsType { get; } = isType;
    public int Depth { get; } = depth;
    public List<Declaration> Children { get; } = [];
}

/// <summary>
/// Finds the declarations of a source file and their nesting with one pass over its lines (comments and strings
/// masked): braces, indentation or <c>end</c> close a body depending on the language. Declarations that end in ';'
/// without a body (prototypes, abstract members) are not sections; a file-scoped namespace spans the rest of the file.
/// </summary>
internal static class CodeOutline
{
    public static List<Declaration> Find(string[] lines, string[] masked, CodeLanguage language) => language.Blocks switch
    {
        BlockStyle.Indentation => ByIndentation(lines, masked, language),
        BlockStyle.EndKeyword => ByEndKeyword(masked, language),
        _ => ByBraces(masked, language),
    };

    private static (string Name, DeclarationRule Rule, int End)? Match(string line, CodeLanguage language, Declaration? container)
    {
        foreach (var rule in language.Rules)
        {
            if (rule.Scope == RuleScope.InType && container is not { IsType: true }) continue;
            Match match;
            try
            {
                match = rule.Pattern.Match(line);
            }
            catch (RegexMatchTimeoutException)
            {
                continue;
            }
            if (!match.Success) continue;
            var name = match.Groups["name"].Value.Trim();
            var receiver = match.Groups["recv"];
            if (receiver.Success) name = receiver.Value + "." + name;
            return (name, rule, match.Index + match.Length);
        }
        return null;
    }

    private static List<Declaration> ByBraces(string[] masked, CodeLanguage language)
    {
        var roots = new List<Declaration>();
        var open = new Stack<(Declaration Declaration, int Depth)>();
        Declaration? pending = null;
        var depth = 0;
        for (var i = 0; i < masked.Length; i++)
        {
            var line = masked[i];
            if (pending is null && Match(line, language, open.Count > 0 ? open.Peek().Declaration : null) is { } found)
            {
                pending = new Declaration(found.Name, i, found.Rule.IsType, open.Count);
                if (found.Rule.FileScoped)
                {
                    // `namespace X;` holds everything after it.
                    pending.EndLine = masked.Length - 1;
                    Attach(roots, open, pending);
                    open.Push((pending, -1));
                    pending = null;
                    continue;
                }
            }
            foreach (var c in line)
            {
                if (c == '{')
                {
                    depth++;
                    if (pending is null) continue;
                    Attach(roots, open, pending);
                    open.Push((pending, depth));
                    pending = null;
                }
                else if (c == '}')
                {
                    pending = null;
                    if (open.Count > 0 && open.Peek().Depth == depth) open.Pop().Declaration.EndLine = i;
                    depth = Math.Max(0, depth - 1);
                }
                else if (c == ';' && pending is not null)
                {
                    // `=> expression;` is a whole member; a bare prototype is not a section.
                    if (line.Contains("=>", StringComparison.Ordinal) || masked[pending.StartLine].Contains("=>", StringComparison.Ordinal))
                    {
                        pending.EndLine = i;
                        Attach(roots, open, pending);
                    }
                    pending = null;
                }
            }
        }
        while (open.Count > 0)
        {
            var unclosed = open.Pop().Declaration;
            if (unclosed.EndLine < 0) unclosed.EndLine = masked.Length - 1;
        }
        return roots;
    }

    private static List<Declaration> ByIndentation(string[] lines, string[] masked, CodeLanguage language)
    {
        var roots = new List<Declaration>();
        var open = new Stack<(Declaration Declaration, int Indent)>();
        var lastCode = -1;
        for (var i = 0; i < masked.Length; i++)
        {
            var line = masked[i];
            if (line.Trim().Length == 0) continue;
            // Continuation lines inside brackets or triple-quoted strings are blanked or deeper; only real code counts.
            var indent = Indent(lines[i]);
            while (open.Count > 0 && indent <= open.Peek().Indent)
            {
                open.Pop().Declaration.EndLine = lastCode;
            }
            if (Match(line, language, open.Count > 0 ? open.Peek().Declaration : null) is { } found)
            {
                var declaration = new Declaration(found.Name, i, found.Rule.IsType, open.Count);
                Attach(roots, open.Select(o => (o.Declaration, 0)), declaration);
                open.Push((declaration, indent));
            }
            lastCode = i;
        }
        while (open.Count > 0) open.Pop().Declaration.EndLine = lastCode;
        return roots;
    }

    private static readonly Regex RubyOpener = new(
        @"^\s*(class|module|def|if|unless|while|until|case|begin|for)\b|\bdo\s*(\|[^|]*\|)?\s*$",
        RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(250));

    private static readonly Regex RubyEnd = new(@"^\s*end\b", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(250));

    private static List<Declaration> ByEndKeyword(string[] masked, CodeLanguage language)
    {
        var roots = new List<Declaration>();
        var open = new Stack<(Declaration? Declaration, int Depth)>();
        for (var i = 0; i < masked.Length; i++)
        {
            var line = masked[i];
            if (RubyEnd.IsMatch(line))
            {
                if (open.Count > 0 && open.Pop().Declaration is { } closed) closed.EndLine = i;
                continue;
            }
            var container = open.FirstOrDefault(o => o.Declaration is not null).Declaration;
            if (Match(line, language, container) is { } found)
            {
                // A one-line `def x = y` (Ruby 3) has no `end`.
                if (line.Contains('=', StringComparison.Ordinal) && !line.Contains('(', StringComparison.Ordinal) && found.Rule.IsType is false
                    && line.TrimStart().StartsWith("def ", StringComparison.Ordinal) && line.Contains(" = ", StringComparison.Ordinal))
                {
                    continue;
                }
                var declaration = new Declaration(found.Name, i, found.Rule.IsType, open.Count(o => o.Declaration is not null));
                Attach(roots, open.Where(o => o.Declaration is not null).Select(o => (o.Declaration!, 0)), declaration);
                open.Push((declaration, 0));
            }
            else if (RubyOpener.IsMatch(line))
            {
                open.Push((null, 0));
            }
        }
        while (open.Count > 0)
        {
            if (open.Pop().Declaration is { EndLine: < 0 } unclosed) unclosed.EndLine = masked.Length - 1;
        }
        return roots;
    }

    private static void Attach(List<Declaration> roots, IEnumerable<(Declaration Declaration, int Depth)> open, Declaration declaration)
    {
        var parent = open.Select(o => o.Declaration).FirstOrDefault();
        if (parent is null) roots.Add(declaration);
        else parent.Children.Add(declaration);
    }

    private static void Attach(List<Declaration> roots, Stack<(Declaration Declaration, int Depth)> open, Declaration declaration) =>
        Attach(roots, open.AsEnumerable(), declaration);

    private static int Indent(string line)
    {
        var width = 0;
        foreach (var c in line)
        {
            if (c == ' ') width++;
            else if (c == '\t') width += 8 - (width % 8);
            else break;
        }
        return width;
    }
}
