using Microsoft.Data.Sqlite;

namespace Quarry.Storage.Sqlite.Tests;

public sealed class StatementCacheTests
{
    [Fact]
    public async Task A_write_transaction_reuses_its_statements_with_fresh_parameters_and_copies_one_in_use()
    {
        SQLitePCL.Batteries_V2.Init();
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using (var create = connection.Command("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER);"))
            await create.ExecuteNonQueryAsync();
        const string insert = "INSERT INTO t (k, v) VALUES ($k, $v);";
        const string read = "SELECT v FROM t WHERE k = $k;";

        await using var transaction = connection.BeginTransaction();
        SqliteCommand first;
        using (StatementCache.Attach(connection, transaction))
        {
            await using (first = connection.Command(insert).With("$k", "a").With("$v", 1))
                await first.ExecuteNonQueryAsync();
            await using (var again = connection.Command(insert).With("$k", "b").With("$v", 2))
            {
                Assert.Same(first, again);
                await again.ExecuteNonQueryAsync();
            }

            await using var outer = connection.Command(read).With("$k", "a");
            await using var reader = await outer.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            // The same SQL while the first is still reading: a second statement, not the busy one.
            await using var nested = connection.Command(read).With("$k", "b");
            Assert.NotSame(outer, nested);
            Assert.Equal(2L, await nested.ExecuteScalarAsync());
            Assert.Equal(1L, reader.GetInt64(0));
        }
        await transaction.CommitAsync();

        // Detached: ordinary commands again, and the cached one was really disposed.
        await using var after = connection.Command(insert);
        Assert.NotSame(first, after);
        await using var count = connection.Command("SELECT count(*) FROM t;");
        Assert.Equal(2L, await count.ExecuteScalarAsync());
    }
}
