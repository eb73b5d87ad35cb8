using Microsoft.Extensions.Logging;

namespace Quarry.Spending;

internal static partial class SpendingLog
{
    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Tenant {Tenant} is over its {Quota} quota ({Used} of {Limit}); model calls are refused until it renews")]
    public static partial void QuotaReached(ILogger logger, string tenant, string quota, string used, string limit);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Error, Message = "Could not record chat usage of tenant {Tenant} on {Model}: {Error}")]
    public static partial void LedgerFailed(ILogger logger, string tenant, string model, string error);
}
