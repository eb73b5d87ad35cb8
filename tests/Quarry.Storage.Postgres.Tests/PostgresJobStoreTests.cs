using Quarry.Storage.Compliance;

namespace Quarry.Storage.Postgres.Tests;

public sealed class PostgresJobStoreTests : JobStoreComplianceTests<PostgresTestStore>
{
    protected override Task<PostgresTestStore> CreateStoreAsync() => PostgresTestStore.CreateAsync(Clock);
}

public sealed class PostgresFairClaimTests : FairClaimComplianceTests<PostgresTestStore>
{
    protected override Task<PostgresTestStore> CreateStoreAsync() => PostgresTestStore.CreateAsync(Clock);
}

public sealed class PostgresIngestionFencingTests : IngestionFencingComplianceTests<PostgresTestStore>
{
    protected override Task<PostgresTestStore> CreateStoreAsync() => PostgresTestStore.CreateAsync(Clock);
}

public sealed class PostgresChildDocumentTests : ChildDocumentComplianceTests<PostgresTestStore>
{
    protected override Task<PostgresTestStore> CreateStoreAsync() => PostgresTestStore.CreateAsync(Clock);
}
