using Quarry.Storage.Compliance;

namespace Quarry.Storage.Postgres.Tests;

public sealed class PostgresKeywordIndexTests : KeywordIndexComplianceTests<PostgresTestStore>
{
    protected override Task<PostgresTestStore> CreateStoreAsync() => PostgresTestStore.CreateAsync(Clock);
}
