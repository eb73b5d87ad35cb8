namespace Quarry.Storage.Sqlite;

/// <summary>Timestamps are stored as Unix milliseconds; values handed out are truncated to match what is stored.</summary>
internal static class UnixTime
{
    public static long ToMs(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromMs(long value) => DateTimeOffset.FromUnixTimeMilliseconds(value);

    public static DateTimeOffset Now(TimeProvider time) => FromMs(ToMs(time.GetUtcNow()));
}
