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

public sealed class SqliteAccessControlTests : AccessControlComplianceTests<SqliteTestStore>
{
    private Quarry.Indexing.Vectors.InMemoryVectorIndex? _vectors;

    protected override Task<SqliteTestStore> CreateStoreAsync() => SqliteTestStore.CreateAsync(Clock);

    protected override int VectorQueries => 4_000;

    /// <summary>The in-process index, loaded from the store as the host loads it.</summary>
    protected override async Task<Quarry.Indexing.IVectorIndex?> VectorIndexAsync()
    {
        _vectors = new Quarry.Indexing.Vectors.InMemoryVectorIndex(new Quarry.Indexing.Vectors.VectorIndexOptions { Model = Model, Dimension = Dimension });
        await _vectors.LoadAsync(Store, Ct);
        return _vectors;
    }

    public override async Task DisposeAsync()
    {
        _vectors?.Dispose();
        await base.DisposeAsync();
    }
}

public sealed class SqliteConversationStoreTests : ConversationStoreComplianceTests<SqliteTestStore>
{
    protected override Task<SqliteTestStore> CreateStoreAsync() => SqliteTestStore.CreateAsync(Clock);

    protected override Quarry.Conversations.IConversationStore Conversations => Store.Inner;
}
