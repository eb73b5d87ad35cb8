using Quarry.Storage.Compliance;

namespace Quarry.Storage.Postgres.Tests;

public sealed class PostgresDocumentStoreTests : DocumentStoreComplianceTests<PostgresTestStore>
{
    protected override Task<PostgresTestStore> CreateStoreAsync() => PostgresTestStore.CreateAsync(Clock);
}

public sealed class PostgresEmbeddingModelTests : EmbeddingModelComplianceTests<PostgresTestStore>
{
    protected override Task<PostgresTestStore> CreateStoreAsync() => PostgresTestStore.CreateAsync(Clock);
}

public sealed class PostgresTenantStoreComplianceTests : TenantStoreComplianceTests<PostgresTestStore>
{
    protected override Task<PostgresTestStore> CreateStoreAsync() => PostgresTestStore.CreateAsync(Clock);
}

public sealed class PostgresEmbeddingCacheComplianceTests : EmbeddingCacheComplianceTests<PostgresTestStore>
{
    protected override Task<PostgresTestStore> CreateStoreAsync() => PostgresTestStore.CreateAsync(Clock);
}
