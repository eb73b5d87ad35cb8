using Quarry.Documents;

namespace Quarry.Generation;

/// <summary>A chat model that can refuse a tenant before any work is done for the call (quotas), so that a streamed
/// answer is refused with a status code instead of after its evidence was sent.</summary>
internal interface IChatAdmission
{
    ValueTask AdmitAsync(TenantId tenant, CancellationToken cancellationToken);
}
