using Quarry.Documents;
using Quarry.Spending;

namespace Quarry.Storage.Postgres;

internal sealed partial class PostgresStore : IUsageLedger
{
    public async Task RecordAsync(TenantId tenant, DateOnly day, string model, TokenCount tokens, decimal cost, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            INSERT INTO llm_usage (tenant_id, day, model, requests, input_tokens, output_tokens, cost)
            VALUES (@tenant, @day, @model, 1, @input, @output, @cost)
            ON CONFLICT (tenant_id, day, model) DO UPDATE SET
                requests = llm_usage.requests + 1, input_tokens = llm_usage.input_tokens + excluded.input_tokens,
                output_tokens = llm_usage.output_tokens + excluded.output_tokens, cost = llm_usage.cost + excluded.cost;
            """).Arg("tenant", tenant.Value).Arg("day", day).Arg("model", model)
            .Arg("input", tokens.Input).Arg("output", tokens.Output).Arg("cost", cost);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<UsageRow>> ListAsync(TenantId tenant, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT day, model, requests, input_tokens, output_tokens, cost FROM llm_usage
            WHERE tenant_id = @tenant AND day BETWEEN @from AND @to ORDER BY day, model COLLATE "C";
            """).Arg("tenant", tenant.Value).Arg("from", from).Arg("to", to);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<UsageRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new UsageRow(reader.GetFieldValue<DateOnly>(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3),
                reader.GetInt64(4), reader.GetDecimal(5)));
        }
        return rows;
    }
}
