using Microsoft.Extensions.DependencyInjection;
using Quarry.Conversations;
using Quarry.Storage.Compliance;

namespace Quarry.Storage.Postgres.Tests;

public sealed class PostgresConversationStoreTests : ConversationStoreComplianceTests<PostgresTestStore>
{
    protected override Task<PostgresTestStore> CreateStoreAsync() => PostgresTestStore.CreateAsync(Clock);

    protected override IConversationStore Conversations => Store.Services.GetRequiredService<IConversationStore>();
}
