using System.Globalization;
using Quarry.Documents;
using Quarry.Spending;

namespace Quarry.Storage.Sqlite;

internal sealed partial class SqliteStore : IUsageLedger
{
    private const decimal MicrosPerUnit = 1_000_000m;

    public Task RecordAsync(TenantId tenant, DateOnly day, string model, TokenCount tokens, decimal cost, CancellationToken cancellationToken) =>
        _database.WriteAsync(async (connection, ct) =>
        {
            await using var command = connection.Command("""
                INSERT INTO llm_usage (tenant_id, day, model, requests, input_tokens, output_tokens, cost_micros)
                VALUES ($tenant, $day, $model, 1, $input, $output, $cost)
                ON CONFLICT (tenant_id, day, model) DO UPDATE SET
                    requests = requests + 1, input_tokens = input_tokens + excluded.input_tokens,
                    output_tokens = output_tokens + excluded.output_tokens, cost_micros = cost_micros + excluded.cost_micros;
                """)
                .With("$tenant", tenant.Value).With("$day", Day(day)).With("$model", model)
                .With("$input", tokens.Input).With("$output", tokens.Output).With("$cost", (long)decimal.Round(cost * MicrosPerUnit));
            return await command.ExecuteNonQueryAsync(ct);
        }, cancellationToken);

    public async Task<IReadOnlyList<UsageRow>> ListAsync(TenantId tenant, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT day, model, requests, input_tokens, output_tokens, cost_micros FROM llm_usage
            WHERE tenant_id = $tenant AND day BETWEEN $from AND $to ORDER BY day, model;
            """).With("$tenant", tenant.Value).With("$from", Day(from)).With("$to", Day(to));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<UsageRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new UsageRow(DateOnly.ParseExact(reader.GetString(0), "yyyy-MM-dd", CultureInfo.InvariantCulture), reader.GetString(1),
                reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5) / MicrosPerUnit));
        }
        return rows;
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
