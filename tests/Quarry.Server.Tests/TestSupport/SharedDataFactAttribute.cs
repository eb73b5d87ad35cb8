using Quarry.Core.Tests.TestSupport;

namespace Quarry.Server.Tests.TestSupport;

/// <summary>A fact that is skipped, with the reason shown, when ../shared is not beside the checkout.</summary>
internal sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (!SharedData.Available) Skip = "Shared test data not found: place it in ../shared beside the checkout or set QUARRY_SHARED.";
    }
}

/// <summary>A theory that is skipped, with the reason shown, when ../shared is not beside the checkout.</summary>
internal sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute()
    {
        if (!SharedData.Available) Skip = "Shared test data not found: place it in ../shared beside the checkout or set QUARRY_SHARED.";
    }
}
