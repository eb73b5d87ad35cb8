using Quarry.Audit;
using Quarry.Storage.Compliance;

namespace Quarry.Storage.Sqlite.Tests;

public sealed class SqliteAuditStoreTests : AuditStoreComplianceTests<SqliteTestStore>
{
    protected override Task<SqliteTestStore> CreateStoreAsync() => SqliteTestStore.CreateAsync(Clock);

    protected override IAuditStore Audit => Store.Inner;

    protected override Task EditAnswerAsync(string id, string answer) =>
        Store.Inner.Database.WriteAsync(async (connection, ct) =>
        {
            await using var update = connection.Command("UPDATE audit_records SET answer_text = $answer WHERE id = $id;").With("$answer", answer).With("$id", id);
            return await update.ExecuteNonQueryAsync(ct);
        }, Ct);

    protected override Task DeleteRowAsync(string id) =>
        Store.Inner.Database.WriteAsync(async (connection, ct) =>
        {
            await using var delete = connection.Command("DELETE FROM audit_records WHERE id = $id;").With("$id", id);
            return await delete.ExecuteNonQueryAsync(ct);
        }, Ct);
}
