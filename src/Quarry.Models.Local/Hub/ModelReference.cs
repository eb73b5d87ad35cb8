using System.Text.RegularExpressions;

namespace Quarry.Models.Local.Hub;

/// <summary>
/// Names a model: a Hugging Face repository (<c>BAAI/bge-small-en-v1.5</c>, optionally <c>@revision</c>) or a local
/// folder (an existing directory, or any rooted or ./-relative path).
/// </summary>
public sealed partial record ModelReference
{
    private ModelReference(string? repository, string revision, string? localPath)
    {
        Repository = repository;
        Revision = revision;
        LocalPath = localPath;
    }

    /// <summary>"owner/name" on the hub, or null for a local folder.</summary>
    public string? Repository { get; }

    /// <summary>Branch, tag or commit; "main" unless given.</summary>
    public string Revision { get; }

    public string? LocalPath { get; }

    public bool IsLocal => LocalPath is not null;

    /// <summary>What the model is called in ids and messages: the repository (with a non-default revision) or the path.</summary>
    public string Name => LocalPath ?? (Revision == DefaultRevision ? Repository! : $"{Repository}@{Revision}");

    public const string DefaultRevision = "main";

    public static ModelReference Local(string path) => new(null, DefaultRevision, Path.GetFullPath(ExpandHome(path)));

    public static ModelReference Parse(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        value = value.Trim();
        if (value.StartsWith("local:", StringComparison.OrdinalIgnoreCase)) value = value["local:".Length..];
        if (Directory.Exists(ExpandHome(value)) || Path.IsPathRooted(value) || value.StartsWith('.') || value.StartsWith('~'))
            return Local(value);
        var at = value.LastIndexOf('@');
        var repository = at < 0 ? value : value[..at];
        var revision = at < 0 ? DefaultRevision : value[(at + 1)..];
        if (!RepositoryPattern().IsMatch(repository) || repository.Contains("..", StringComparison.Ordinal))
            throw new ArgumentException($"'{value}' is neither an existing folder nor a Hugging Face model id such as BAAI/bge-small-en-v1.5[@revision].", nameof(value));
        if (!RevisionPattern().IsMatch(revision) || revision.Contains("..", StringComparison.Ordinal))
            throw new ArgumentException($"'{revision}' is not a valid revision (a branch, tag or commit).", nameof(value));
        return new ModelReference(repository, revision, null);
    }

    public override string ToString() => Name;

    private static string ExpandHome(string path) =>
        path.StartsWith('~') ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..] : path;

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.\-]*(/[A-Za-z0-9][A-Za-z0-9_.\-]*)?$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.\-/]*$")]
    private static partial Regex RevisionPattern();
}
