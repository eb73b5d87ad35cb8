using Quarry.Storage.Compliance;

namespace Quarry.Storage.Postgres.Tests;

public sealed class PostgresKeywordIndexTests : KeywordIndexComplianceTests<PostgresTestStore>
{
    protected override Task<PostgresTestStore> CreateStoreAsync() => PostgresTestStore.CreateAsync(Clock);
}

public sealed class PostgresAccessControlTests : AccessControlComplianceTests<PostgresTestStore>
{
    protected override Task<PostgresTestStore> CreateStoreAsync() => PostgresTestStore.CreateAsync(Clock);
}
