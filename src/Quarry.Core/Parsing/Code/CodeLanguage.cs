using System.Text.RegularExpressions;

namespace Quarry.Parsing.Code;

internal enum BlockStyle
{
    /// <summary>Bodies in braces (C family, Go, Rust, JavaScript…).</summary>
    Braces,
    /// <summary>Bodies by indentation (Python).</summary>
    Indentation,
    /// <summary>Bodies closed by the keyword <c>end</c> (Ruby).</summary>
    EndKeyword,
}

internal enum CommentStyle
{
    /// <summary><c>//</c> and <c>/* */</c>.</summary>
    Slashes,
    /// <summary><c>#</c>.</summary>
    Hash,
}

/// <summary>Where a declaration pattern is looked for: anywhere, or only directly inside a type (methods).</summary>
internal enum RuleScope
{
    Anywhere,
    InType,
}

/// <summary>A declaration pattern, matched against a line whose comments and string contents are blanked. The
/// <c>name</c> group becomes the heading (Go methods: <c>recv.name</c>); a rule marked <paramref name="IsType"/> opens a scope for InType rules.</summary>
internal sealed record DeclarationRule(Regex Pattern, RuleScope Scope, bool IsType, bool FileScoped = false);

/// <summary>What the scanner needs to know about one language; no grammar, just its declaration shapes.</summary>
internal sealed record CodeLanguage(string Name, BlockStyle Blocks, CommentStyle Comments, IReadOnlyList<DeclarationRule> Rules,
    bool BacktickStrings = false, bool TripleQuotes = false, bool LooseApostrophes = false)
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(250);

    private static DeclarationRule Rule(string pattern, RuleScope scope = RuleScope.Anywhere, bool type = false, bool fileScoped = false) =>
        new(new Regex(@"^\s*" + pattern, Options, Timeout), scope, type, fileScoped);

    private const string NotKeyword = @"(?!(if|for|foreach|while|switch|catch|using|lock|return|new|else|do|try|throw|await|yield|fixed|sizeof|typeof|nameof|function|when|match|loop)\b)";

    private static readonly DeclarationRule[] JvmAndCSharpTypes =
    [
        Rule(@"namespace\s+(?<name>[\w.]+)\s*;", fileScoped: true),
        Rule(@"namespace\s+(?<name>[\w.]+)", type: true),
        Rule(@"((public|private|protected|internal|static|sealed|abstract|partial|readonly|ref|unsafe|file|final|strictfp|new)\s+)*(class|struct|interface|enum|record(\s+(struct|class))?|@interface)\s+(?<name>\w+)", type: true),
    ];

    private const string CSharpMethod = @"((public|private|protected|internal|static|virtual|override|abstract|async|sealed|extern|unsafe|new|partial|readonly|final|synchronized|native|default)\s+)*"
        + NotKeyword + @"([\w.?\[\],]+(<[^()]*>)?[\w.?\[\]]*\s+)?(?<name>~?\w+)\s*(<[^()]*>)?\s*\(";

    public static readonly CodeLanguage CSharp = new("csharp", BlockStyle.Braces, CommentStyle.Slashes,
        [.. JvmAndCSharpTypes, Rule(CSharpMethod, RuleScope.InType)]);

    public static readonly CodeLanguage Java = new("java", BlockStyle.Braces, CommentStyle.Slashes,
        [.. JvmAndCSharpTypes, Rule(CSharpMethod, RuleScope.InType)]);

    public static readonly CodeLanguage Kotlin = new("kotlin", BlockStyle.Braces, CommentStyle.Slashes,
    [
        Rule(@"((public|private|protected|internal|open|abstract|sealed|data|enum|annotation|inner|value|companion)\s+)*(class|interface|object)\s+(?<name>\w+)", type: true),
        Rule(@"((public|private|protected|internal|open|override|abstract|suspend|inline|operator|infix|tailrec)\s+)*fun\s+(<[^>]*>\s*)?([\w.]+\.)?(?<name>\w+)\s*\("),
    ], TripleQuotes: true);

    public static readonly CodeLanguage Go = new("go", BlockStyle.Braces, CommentStyle.Slashes,
    [
        Rule(@"type\s+(?<name>\w+)(\[[^\]]*\])?\s+(struct|interface)\b", type: true),
        Rule(@"func\s+\(\s*\w*\s*\*?(?<recv>\w+)(\[[^\]]*\])?\s*\)\s*(?<name>\w+)"),
        Rule(@"func\s+(?<name>\w+)"),
    ], BacktickStrings: true);

    public static readonly CodeLanguage Rust = new("rust", BlockStyle.Braces, CommentStyle.Slashes,
    [
        Rule(@"(pub(\([^)]*\))?\s+)?(struct|enum|trait|union)\s+(?<name>\w+)", type: true),
        Rule(@"(pub(\([^)]*\))?\s+)?mod\s+(?<name>\w+)", type: true),
        Rule(@"(unsafe\s+)?impl(<[^{]*?>)?\s+(?<name>[\w:<>, ]+?(\s+for\s+[\w:<>, ]+?)?)\s*(where\b|\{|$)", type: true),
        Rule(@"(pub(\([^)]*\))?\s+)?((const|async|unsafe|extern(\s+""C"")?)\s+)*fn\s+(?<name>\w+)"),
    ], LooseApostrophes: true);

    public static readonly CodeLanguage CFamily = new("c", BlockStyle.Braces, CommentStyle.Slashes,
    [
        Rule(@"namespace\s+(?<name>[\w:]+)", type: true),
        Rule(@"(template\s*<[^>]*>\s*)?(typedef\s+)?(class|struct|union|enum(\s+class)?)\s+(\w+\s+)*?(?<name>\w+)\s*(final\s*)?(:[^;{]*)?(\{|$)", type: true),
        Rule(NotKeyword + @"(template\s*<[^>]*>\s*)?([\w:*&<>,~]+\s+[*&]*)+(?<name>[\w:~]+|operator\s*\S+)\s*\([^;]*$"),
        Rule(NotKeyword + @"(?<name>[\w:~]+)\s*\([^;]*$", RuleScope.InType),
    ]);

    public static readonly CodeLanguage TypeScript = new("typescript", BlockStyle.Braces, CommentStyle.Slashes,
    [
        Rule(@"(export\s+)?(default\s+)?(declare\s+)?(abstract\s+)?(class|interface|enum|namespace|module)\s+(?<name>[\w.]+)", type: true),
        Rule(@"(export\s+)?(default\s+)?(async\s+)?function\s*\*?\s*(?<name>\w+)"),
        Rule(@"(export\s+)?(const|let|var)\s+(?<name>\w+)\s*(:[^=]+)?=\s*(async\s+)?(function\b|(\([^)]*\)|\w+)\s*(:[^=]+)?=>)"),
        Rule(@"((public|private|protected|static|async|readonly|abstract|override|get|set)\s+)*\*?" + NotKeyword + @"(?<name>#?\w+)\s*(<[^>]*>)?\s*\([^;]*$", RuleScope.InType),
    ], BacktickStrings: true);

    public static readonly CodeLanguage Python = new("python", BlockStyle.Indentation, CommentStyle.Hash,
    [
        Rule(@"class\s+(?<name>\w+)", type: true),
        Rule(@"(async\s+)?def\s+(?<name>\w+)"),
    ], TripleQuotes: true);

    public static readonly CodeLanguage Ruby = new("ruby", BlockStyle.EndKeyword, CommentStyle.Hash,
    [
        Rule(@"(class|module)\s+(?<name>[\w:]+)", type: true),
        Rule(@"def\s+(self\.)?(?<name>\w+[?!=]?)"),
    ]);

    public static readonly IReadOnlyDictionary<string, CodeLanguage> ByExtension = new Dictionary<string, CodeLanguage>(StringComparer.OrdinalIgnoreCase)
    {
        [".cs"] = CSharp,
        [".java"] = Java,
        [".kt"] = Kotlin,
        [".kts"] = Kotlin,
        [".go"] = Go,
        [".rs"] = Rust,
        [".c"] = CFamily,
        [".h"] = CFamily,
        [".cc"] = CFamily,
        [".cpp"] = CFamily,
        [".cxx"] = CFamily,
        [".hpp"] = CFamily,
        [".hh"] = CFamily,
        [".ts"] = TypeScript,
        [".tsx"] = TypeScript,
        [".mts"] = TypeScript,
        [".js"] = TypeScript,
        [".jsx"] = TypeScript,
        [".mjs"] = TypeScript,
        [".cjs"] = TypeScript,
        [".py"] = Python,
        [".pyi"] = Python,
        [".rb"] = Ruby,
    };
}
