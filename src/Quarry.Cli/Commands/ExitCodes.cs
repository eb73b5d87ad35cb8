namespace Quarry.Cli.Commands;

internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Some items failed (e.g. files rejected) or the target was not found.</summary>
    public const int PartialFailure = 1;
    public const int Usage = 2;
    public const int Error = 3;
    /// <summary>The store (a PostgreSQL server) cannot be reached.</summary>
    public const int StoreUnavailable = 4;
    public const int Cancelled = 130;
}
