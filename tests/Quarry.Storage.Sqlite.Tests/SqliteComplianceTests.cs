using Quarry.Storage.Compliance;

namespace Quarry.Storage.Sqlite.Tests;

public sealed class SqliteDocumentStoreTests : DocumentStoreComplianceTests<SqliteTestStore>
{
    protected override Task<SqliteTestStore> CreateStoreAsync() => SqliteTestStore.CreateAsync(Clock);
}

public sealed class SqliteKeywordIndexTests : KeywordIndexComplianceTests<SqliteTestStore>
{
    protected override Task<SqliteTestStore> CreateStoreAsync() => SqliteTestStore.CreateAsync(Clock);
}

public sealed class SqliteJobStoreTests : JobStoreComplianceTests<SqliteTestStore>
{
    protected override Task<SqliteTestStore> CreateStoreAsync() => SqliteTestStore.CreateAsync(Clock);
}

public sealed class SqliteEmbeddingModelTests : EmbeddingModelComplianceTests<SqliteTestStore>
{
    protected override Task<SqliteTestStore> CreateStoreAsync() => SqliteTestStore.CreateAsync(Clock);
}

public sealed class SqliteTenantStoreComplianceTests : TenantStoreComplianceTests<SqliteTestStore>
{
    protected override Task<SqliteTestStore> CreateStoreAsync() => SqliteTestStore.CreateAsync(Clock);
}

public sealed class SqliteEmbeddingCacheComplianceTests : EmbeddingCacheComplianceTests<SqliteTestStore>
{
    protected override Task<SqliteTestStore> CreateStoreAsync() => SqliteTestStore.CreateAsync(Clock);
}

public sealed class SqliteFairClaimTests : FairClaimComplianceTests<SqliteTestStore>
{
    protected override Task<SqliteTestStore> CreateStoreAsync() => SqliteTestStore.CreateAsync(Clock);
}

public sealed class SqliteIngestionFencingTests : IngestionFencingComplianceTests<SqliteTestStore>
{
    protected override Task<SqliteTestStore> CreateStoreAsync() => SqliteTestStore.CreateAsync(Clock);
}

public sealed class SqliteChildDocumentTests : ChildDocumentComplianceTests<SqliteTestStore>
{
    protected override Task<SqliteTestStore> CreateStoreAsync() => SqliteTestStore.CreateAsync(Clock);
}
