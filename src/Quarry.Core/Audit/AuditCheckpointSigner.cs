using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Quarry.Audit;

/// <summary>
/// Signs and checks retention checkpoints with HMAC-SHA256. The key is <see cref="AuditOptions.CheckpointKey"/>, or
/// else 32 random bytes kept in <see cref="AuditOptions.CheckpointKeyFile"/>, created on first use. A verifier needs
/// the same key: replicas and the CLI must share the setting (or the file).
/// </summary>
public sealed class AuditCheckpointSigner
{
    private readonly byte[] _key;

    public AuditCheckpointSigner(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 16) throw new ArgumentException("A checkpoint key needs at least 16 bytes.", nameof(key));
        _key = key;
    }

    public static AuditCheckpointSigner FromOptions(AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrEmpty(options.CheckpointKey))
            return new AuditCheckpointSigner(Encoding.UTF8.GetBytes(options.CheckpointKey));
        if (string.IsNullOrEmpty(options.CheckpointKeyFile))
            throw new InvalidOperationException("Set Audit:CheckpointKey (or Audit:CheckpointKeyFile) to sign audit checkpoints.");
        return new AuditCheckpointSigner(LoadOrCreate(options.CheckpointKeyFile));
    }

    public string Sign(AuditCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var text = string.Create(CultureInfo.InvariantCulture,
            $"quarry-audit-checkpoint/1\n{checkpoint.Tenant}\n{checkpoint.Sequence}\n{checkpoint.Hash}\n{checkpoint.CreatedAt.ToUnixTimeMilliseconds()}");
        return Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(text)));
    }

    public bool IsValid(AuditCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var expected = Encoding.ASCII.GetBytes(Sign(checkpoint));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(checkpoint.Signature));
    }

    private static byte[] LoadOrCreate(string path)
    {
        if (File.Exists(path))
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var key = RandomNumberGenerator.GetBytes(32);
        try
        {
            // CreateNew: two processes starting together must not each write their own key.
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var stream = new FileStream(path, create);
            stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(key)));
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
    }
}
