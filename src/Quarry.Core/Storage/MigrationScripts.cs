using System.Globalization;
using System.Reflection;

namespace Quarry.Storage;

/// <summary>A versioned schema script embedded in a store adapter as <c>Migrations/NNNN_name.sql</c>.</summary>
public sealed record MigrationScript(int Version, string Name, string Sql);

/// <summary>
/// Loads a store adapter's embedded migration scripts, in order. Numbering must be 1, 2, 3… without gaps: a gap would
/// mean a script lost in a merge, and a database migrated past it could never get it.
/// </summary>
public static class MigrationScripts
{
    public static IReadOnlyList<MigrationScript> Load(Assembly assembly, string resourcePrefix)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentException.ThrowIfNullOrEmpty(resourcePrefix);
        var migrations = new List<MigrationScript>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(resourcePrefix, StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
                continue;
            var name = resource[resourcePrefix.Length..^".sql".Length];
            var separator = name.IndexOf('_', StringComparison.Ordinal);
            if (separator <= 0 || !int.TryParse(name.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
                throw new InvalidOperationException($"Migration resource '{resource}' is not named NNNN_name.sql.");
            migrations.Add(new MigrationScript(version, name, ReadResource(assembly, resource)));
        }
        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
                throw new InvalidOperationException($"Migrations must be numbered 1, 2, 3… without gaps; found {migrations[i].Name}.");
        }
        if (migrations.Count == 0)
            throw new InvalidOperationException($"No embedded migrations named {resourcePrefix}NNNN_name.sql were found in {assembly.GetName().Name}.");
        return migrations;
    }

    private static string ReadResource(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Missing embedded resource '{resource}'.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
