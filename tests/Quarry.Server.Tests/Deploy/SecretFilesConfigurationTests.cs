using System.Collections;
using Microsoft.Extensions.Configuration;
using Quarry.Server.Hosting;

namespace Quarry.Server.Tests.Deploy;

/// <summary>The <c>QUARRY_…_FILE</c> convention: a setting's value read from the file the variable names.</summary>
public sealed class SecretFilesConfigurationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("quarry-secrets-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_FILE_variable_sets_the_key_to_the_file_content_and_wins_over_the_plain_variable()
    {
        var secret = Path.Combine(_folder, "pg");
        File.WriteAllText(secret, "Host=db;Password=p@ss word\n");
        var environment = new Hashtable
        {
            ["QUARRY_Storage__Postgres__ConnectionString"] = "Host=plain",
            ["QUARRY_Storage__Postgres__ConnectionString_FILE"] = secret,
            ["OTHER_Thing_FILE"] = secret,
        };

        var configuration = Build(environment);

        configuration["Storage:Postgres:ConnectionString"].Should().Be("Host=db;Password=p@ss word", "one trailing newline is dropped, the rest kept");
        configuration["Thing"].Should().BeNull("only QUARRY_ variables are Quarry settings");
    }

    [Fact]
    public void A_FILE_variable_naming_a_missing_file_stops_start_up_naming_the_variable()
    {
        var environment = new Hashtable { ["QUARRY_Models__Chat__ApiKey_FILE"] = Path.Combine(_folder, "absent") };

        var act = () => Build(environment);

        act.Should().Throw<InvalidOperationException>().WithMessage("QUARRY_Models__Chat__ApiKey_FILE names '*absent'*");
    }

    private static IConfigurationRoot Build(Hashtable environment)
    {
        var builder = new ConfigurationBuilder();
        builder.AddInMemoryCollection(environment.Cast<DictionaryEntry>()
            .Where(e => ((string)e.Key).StartsWith("QUARRY_", StringComparison.Ordinal))
            .Select(e => KeyValuePair.Create(((string)e.Key)["QUARRY_".Length..].Replace("__", ":", StringComparison.Ordinal), (string?)e.Value)));
        return builder.AddQuarrySecretFiles(environment).Build();
    }
}
