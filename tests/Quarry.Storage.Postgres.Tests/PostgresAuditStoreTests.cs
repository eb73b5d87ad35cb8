using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Quarry.Audit;
using Quarry.Storage.Compliance;

namespace Quarry.Storage.Postgres.Tests;

public sealed class PostgresAuditStoreTests : AuditStoreComplianceTests<PostgresTestStore>
{
    protected override Task<PostgresTestStore> CreateStoreAsync() => PostgresTestStore.CreateAsync(Clock);

    protected override IAuditStore Audit => Store.Services.GetRequiredService<IAuditStore>();

    protected override Task EditAnswerAsync(string id, string answer) =>
        ExecuteAsync("UPDATE audit_records SET answer_text = @answer WHERE id = @id;", ("answer", answer), ("id", id));

    protected override Task DeleteRowAsync(string id) => ExecuteAsync("DELETE FROM audit_records WHERE id = @id;", ("id", id));

    private async Task ExecuteAsync(string sql, params (string Name, string Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(Store.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        (await command.ExecuteNonQueryAsync()).Should().Be(1);
    }
}
