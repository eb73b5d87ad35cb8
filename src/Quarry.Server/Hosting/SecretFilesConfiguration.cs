using System.Collections;
using Microsoft.Extensions.Configuration;

namespace Quarry.Server.Hosting;

/// <summary>
/// Secrets from files, the Docker/Kubernetes convention: <c>QUARRY_Storage__Postgres__ConnectionString_FILE=/run/secrets/pg</c>
/// sets <c>Storage:Postgres:ConnectionString</c> to the file's content (one trailing newline removed), so a secret
/// never sits in the environment, where <c>ps e</c>, crash dumps and <c>docker inspect</c> show it.
/// </summary>
public static class SecretFilesConfiguration
{
    public const string Suffix = "_FILE";

    /// <summary>Add after the environment variables: a <c>_FILE</c> variable wins over the plain one.</summary>
    public static IConfigurationBuilder AddQuarrySecretFiles(this IConfigurationBuilder builder, IDictionary? environment = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new SecretFilesSource(environment ?? Environment.GetEnvironmentVariables()));
    }

    private sealed class SecretFilesSource(IDictionary environment) : IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => new SecretFilesProvider(environment);
    }

    private sealed class SecretFilesProvider(IDictionary environment) : ConfigurationProvider
    {
        public override void Load()
        {
            var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry entry in environment)
            {
                if (entry.Key is not string name || entry.Value is not string path) continue;
                if (!name.StartsWith(QuarryEngine.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)
                    || !name.EndsWith(Suffix, StringComparison.Ordinal) || name.Length <= QuarryEngine.EnvironmentPrefix.Length + Suffix.Length) continue;
                var key = name[QuarryEngine.EnvironmentPrefix.Length..^Suffix.Length].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);
                data[key] = Read(name, path);
            }
            Data = data;
        }

        private static string Read(string variable, string path)
        {
            try
            {
                var text = File.ReadAllText(path);
                return text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // Start-up reports this as invalid configuration (exit 2), naming the variable, not the secret.
                throw new InvalidOperationException($"{variable} names '{path}', which cannot be read: {ex.Message}", ex);
            }
        }
    }
}
