using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Quarry.Audit;

/// <summary>
/// The hash chain: a record's hash is the SHA-256 of a canonical serialization of every field but the hash itself
/// (including its tenant, sequence and the previous hash), so changing any field, reordering or removing a record
/// breaks the chain at that point. The serialization is fixed here (field order, number formats, times as Unix
/// milliseconds) and versioned, never taken from a general-purpose serializer whose output could change.
/// </summary>
public static class AuditChain
{
    /// <summary>The previous hash of a tenant's first record.</summary>
    public static readonly string Genesis = new('0', 64);

    private const int Version = 1;

    /// <summary>The record as the next link after <paramref name="head"/> (null: the first of its tenant).</summary>
    public static AuditRecord Link(AuditRecord record, AuditChainHead? head)
    {
        ArgumentNullException.ThrowIfNull(record);
        var linked = record with
        {
            Sequence = (head?.Sequence ?? 0) + 1,
            PrevHash = head?.Hash ?? Genesis,
            Hash = "",
        };
        return linked with { Hash = ComputeHash(linked) };
    }

    public static string ComputeHash(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteNumberValue(Version);
            json.WriteStringValue(record.Tenant);
            json.WriteNumberValue(record.Sequence);
            json.WriteStringValue(record.Id);
            json.WriteNumberValue(record.Time.ToUnixTimeMilliseconds());
            json.WriteStringValue(record.KeyId);
            json.WriteStringValue(record.User);
            json.WriteStringValue(record.Route);
            json.WriteStartArray();
            foreach (var kb in record.KnowledgeBases) json.WriteStringValue(kb);
            json.WriteEndArray();
            json.WriteStringValue(record.Subject);
            json.WriteStringValue(record.Question);
            json.WriteStringValue(record.Filters);
            json.WriteStartArray();
            foreach (var r in record.Retrieved)
            {
                json.WriteStartArray();
                json.WriteStringValue(r.ChunkId);
                json.WriteStringValue(r.DocumentId);
                json.WriteNumberValue(r.Version);
                json.WriteEndArray();
            }
            json.WriteEndArray();
            json.WriteStartArray();
            foreach (var c in record.Cited)
            {
                json.WriteStartArray();
                json.WriteStringValue(c.ChunkId);
                json.WriteStringValue(c.DocumentId);
                json.WriteNumberValue(c.Start);
                json.WriteNumberValue(c.End);
                json.WriteEndArray();
            }
            json.WriteEndArray();
            json.WriteStringValue(record.Model);
            json.WriteStringValue(record.FallbackPath);
            WriteBool(json, record.Grounded);
            WriteBool(json, record.Abstained);
            json.WriteStringValue(record.AnswerText);
            json.WriteNumberValue(record.LatencyMs);
            json.WriteNumberValue(record.Status);
            json.WriteStringValue(record.TraceId);
            json.WriteStringValue(record.PrevHash);
            json.WriteEndArray();
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static void WriteBool(Utf8JsonWriter json, bool? value)
    {
        if (value is { } v) json.WriteBooleanValue(v);
        else json.WriteNullValue();
    }

    /// <summary>Milliseconds, as every store keeps them.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time) =>
        DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());

    /// <summary>Text as every store can keep it: PostgreSQL cannot hold U+0000, so it becomes U+FFFD before hashing.</summary>
    public static string? Clean(string? value) =>
        value is not null && value.Contains('\0', StringComparison.Ordinal) ? value.Replace('\0', '\uFFFD') : value;
}
