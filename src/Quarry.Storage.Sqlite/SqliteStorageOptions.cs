using System.ComponentModel.DataAnnotations;

namespace Quarry.Storage.Sqlite;

public sealed class SqliteStorageOptions
{
    public const string SectionName = "Storage:Sqlite";

    /// <summary>Directory holding the database file (created when missing).</summary>
    [Required(AllowEmptyStrings = false)]
    public string DataDirectory { get; set; } = "";

    [Required(AllowEmptyStrings = false)]
    [RegularExpression(@"^[^/\\]+$", ErrorMessage = "FileName must be a file name, not a path.")]
    public string FileName { get; set; } = "quarry.db";

    /// <summary>How long a connection waits for another process's lock before failing with SQLITE_BUSY.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Rows kept in the change feed that in-memory indexes of other processes catch up from; an index further
    /// behind than this rebuilds from the store instead.</summary>
    [Range(1_000, int.MaxValue)]
    public int IndexChangeRetention { get; set; } = 100_000;

    internal string DatabasePath => Path.GetFullPath(Path.Combine(DataDirectory, FileName));
}
