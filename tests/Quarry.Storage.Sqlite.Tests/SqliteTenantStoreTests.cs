using Microsoft.Extensions.DependencyInjection;
using Quarry.Documents;
using Quarry.Tenancy;

namespace Quarry.Storage.Sqlite.Tests;

/// <summary>What only the SQLite store shows about API keys: the database files never hold a key. The backend-neutral
/// key and usage tests are in <see cref="SqliteTenantStoreComplianceTests"/>.</summary>
public sealed class SqliteTenantStoreTests : IDisposable
{
    private static CancellationToken Ct => CancellationToken.None;
    private static readonly TenantId Acme = new("acme");

    private readonly string _directory = SqliteTestStore.NewDirectory();
    private readonly ServiceProvider _services;

    public SqliteTenantStoreTests()
    {
        var services = new ServiceCollection();
        services.AddQuarrySqliteStorage(o => o.DataDirectory = _directory);
        _services = services.BuildServiceProvider();
    }

    private ITenantStore Tenants => _services.GetRequiredService<ITenantStore>();

    public void Dispose()
    {
        _services.Dispose();
        SqliteTestStore.DeleteDirectory(_directory);
    }

    [Fact]
    public async Task The_database_never_holds_the_key_itself()
    {
        var (key, hash) = ApiKeys.Generate();
        await Tenants.CreateApiKeyAsync(new NewApiKey(Acme, ApiKeyRole.Admin, hash, ApiKeys.DisplayPrefix(key), "root"), Ct);
        _services.Dispose();
        var secret = key[ApiKeys.DisplayPrefix(key).Length..];
        foreach (var file in Directory.EnumerateFiles(_directory))
            (await File.ReadAllTextAsync(file)).Should().NotContain(secret);
    }

    [Theory]
    [InlineData("reader", true)]
    [InlineData("Admin", true)]
    [InlineData("owner", false)]
    [InlineData("2", false)]
    [InlineData(null, false)]
    public void Roles_parse_by_name_only(string? value, bool valid) => ApiKeys.TryParseRole(value, out _).Should().Be(valid);
}
