using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Quarry.Privacy;

public static class PrivacyServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PrivacyMasker"/>. The pseudonym key is <see cref="PrivacyOptions.PseudonymKey"/> when set,
    /// else a random key kept in <paramref name="dataDirectory"/> (<c>privacy-key</c>, created on first use): enough
    /// for one process; replicas must configure the same key.
    /// </summary>
    public static IServiceCollection AddQuarryPrivacy(this IServiceCollection services, string dataDirectory, Action<PrivacyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<PrivacyOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<PrivacyOptions>>();
            var key = string.IsNullOrEmpty(o.Value.PseudonymKey)
                ? KeyFile(Path.Combine(dataDirectory, "privacy-key"))
                : SHA256.HashData(Encoding.UTF8.GetBytes(o.Value.PseudonymKey));
            return new PrivacyMasker(o, key);
        });
        return services;
    }

    private static byte[] KeyFile(string path)
    {
        if (File.Exists(path)) return Convert.FromBase64String(File.ReadAllText(path).Trim());
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = RandomNumberGenerator.GetBytes(32);
        try
        {
            // CreateNew: if another process wrote it first, its key wins and is read back.
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            using (var writer = new StreamWriter(file))
                writer.Write(Convert.ToBase64String(key));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
    }
}
