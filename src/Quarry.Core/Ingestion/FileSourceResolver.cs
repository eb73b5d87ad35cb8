using Microsoft.Extensions.FileSystemGlobbing;
using Microsoft.Extensions.Options;
using Quarry.Parsing;

namespace Quarry.Ingestion;

/// <summary>
/// Expands the paths a user names (files, directories, globs) into sources. A directory or glob is a root: files found
/// under it whose real location (after following symlinks) lies outside that root are refused, so a link planted in a
/// shared folder cannot pull in files from elsewhere on the machine.
/// </summary>
public sealed class FileSourceResolver
{
    private readonly IngestionOptions _options;

    public FileSourceResolver(IOptions<IngestionOptions> options) => _options = options.Value;

    public ResolvedSources Resolve(IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var cwd = workingDirectory ?? Directory.GetCurrentDirectory();
        var sources = new List<IngestSource>();
        var failures = new List<IngestFailure>();
        var seen = new HashSet<string>(StringComparer.Ordinal);

        foreach (var argument in arguments)
        {
            if (string.IsNullOrWhiteSpace(argument)) continue;
            var full = Path.GetFullPath(argument, cwd);

            if (IsGlob(argument))
                AddGlob(argument, cwd, sources, failures, seen);
            else if (Directory.Exists(full))
                AddDirectory(full, argument, sources, failures, seen);
            else if (File.Exists(full))
                AddFile(full, argument, realRoot: null, sources, failures, seen);
            else
                failures.Add(new IngestFailure(argument, DocumentRejectedException.ToCode(RejectionReason.NotFound), "No such file or directory."));
        }

        return new ResolvedSources(sources, failures);
    }

    private void AddDirectory(string root, string shown, List<IngestSource> sources, List<IngestFailure> failures, HashSet<string> seen)
    {
        var realRoot = RealPath(root);
        var enumeration = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            MaxRecursionDepth = 64,
            AttributesToSkip = _options.SkipHiddenFiles ? FileAttributes.Hidden | FileAttributes.System : FileAttributes.System,
        };
        foreach (var file in Directory.EnumerateFiles(root, "*", enumeration).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, file);
            if (_options.SkipHiddenFiles && IsHidden(relative)) continue;
            AddFile(file, Path.Combine(shown, relative), realRoot, sources, failures, seen);
        }
    }

    private void AddGlob(string pattern, string cwd, List<IngestSource> sources, List<IngestFailure> failures, HashSet<string> seen)
    {
        var (baseDir, relativePattern) = SplitGlob(pattern);
        var root = Path.GetFullPath(baseDir.Length == 0 ? "." : baseDir, cwd);
        if (!Directory.Exists(root))
        {
            failures.Add(new IngestFailure(pattern, DocumentRejectedException.ToCode(RejectionReason.NotFound), $"The folder '{baseDir}' does not exist."));
            return;
        }
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(relativePattern);
        var realRoot = RealPath(root);
        var matched = false;
        foreach (var file in matcher.GetResultsInFullPath(root).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, file);
            if (_options.SkipHiddenFiles && IsHidden(relative)) continue;
            matched = true;
            AddFile(file, Path.Combine(baseDir, relative), realRoot, sources, failures, seen);
        }
        if (!matched)
            failures.Add(new IngestFailure(pattern, DocumentRejectedException.ToCode(RejectionReason.NotFound), "The pattern matched no files."));
    }

    private static void AddFile(string path, string shown, string? realRoot, List<IngestSource> sources, List<IngestFailure> failures, HashSet<string> seen)
    {
        string real;
        try
        {
            real = RealPath(path);
        }
        catch (IOException ex)
        {
            failures.Add(new IngestFailure(shown, DocumentRejectedException.ToCode(RejectionReason.NotFound), ex.Message));
            return;
        }
        if (realRoot is not null && !IsUnder(real, realRoot))
        {
            failures.Add(new IngestFailure(shown, DocumentRejectedException.ToCode(RejectionReason.PathOutsideRoot),
                $"The path resolves to '{real}', outside the folder being ingested; symbolic links may not leave it."));
            return;
        }
        if (!File.Exists(real))
        {
            failures.Add(new IngestFailure(shown, DocumentRejectedException.ToCode(RejectionReason.NotFound), "Broken symbolic link."));
            return;
        }
        if (!seen.Add(real)) return;
        sources.Add(IngestSource.FromFile(real, shown));
    }

    internal static bool IsGlob(string argument) => argument.AsSpan().IndexOfAny("*?[{") >= 0;

    internal static (string BaseDir, string Pattern) SplitGlob(string pattern)
    {
        var normalized = pattern.Replace('\\', '/');
        var parts = normalized.Split('/');
        var firstWild = Array.FindIndex(parts, p => IsGlob(p));
        var baseDir = string.Join('/', parts[..firstWild]);
        if (normalized.StartsWith('/') && baseDir.Length == 0) baseDir = "/";
        return (baseDir, string.Join('/', parts[firstWild..]));
    }

    private static bool IsHidden(string relativePath) =>
        relativePath.Split(Path.DirectorySeparatorChar).Any(part => part.Length > 1 && part[0] == '.' && part != "..");

    private static bool IsUnder(string path, string root)
    {
        var rootWithSeparator = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return path.StartsWith(rootWithSeparator, StringComparison.Ordinal) || path == root;
    }

    /// <summary>The path with every symbolic link along it resolved (like realpath(3)).</summary>
    internal static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? "/";
        var current = root;
        var remaining = new Queue<string>(full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
        var hops = 0;
        while (remaining.Count > 0)
        {
            var next = Path.Combine(current, remaining.Dequeue());
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is not null)
            {
                if (++hops > 40) throw new IOException($"Too many levels of symbolic links at '{next}'.");
                var target = Path.GetFullPath(info.LinkTarget, current);
                var targetRoot = Path.GetPathRoot(target) ?? "/";
                var rest = remaining.ToArray();
                remaining = new Queue<string>(target[targetRoot.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Concat(rest));
                current = targetRoot;
                continue;
            }
            current = next;
        }
        return current;
    }
}

public sealed record ResolvedSources(IReadOnlyList<IngestSource> Sources, IReadOnlyList<IngestFailure> Failures);
