using System.Runtime.InteropServices;
using System.Text.Json;

namespace Quarry.Models.Local.Loading;

/// <summary>Writes float32 tensors as a <c>.safetensors</c> file that <see cref="SafeTensorsFile"/> (and the
/// reference implementation) reads.</summary>
internal static class SafeTensorsWriter
{
    public static void Write(string path, IEnumerable<(string Name, int[] Shape, float[] Data)> tensors)
    {
        var ordered = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var header = new Dictionary<string, object>(StringComparer.Ordinal) { ["__metadata__"] = new Dictionary<string, string> { ["format"] = "pt" } };
        long offset = 0;
        foreach (var (name, shape, data) in ordered)
        {
            var end = offset + (long)data.Length * sizeof(float);
            header[name] = new { dtype = "F32", shape, data_offsets = new[] { offset, end } };
            offset = end;
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(header);
        // The data starts 8-byte aligned: the header is padded with spaces, as the format allows.
        var padded = (json.Length + 7) / 8 * 8;
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        Span<byte> length = stackalloc byte[8];
        BitConverter.TryWriteBytes(length, (long)padded);
        stream.Write(length);
        stream.Write(json);
        for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Big-endian machines are not supported.");
        foreach (var (_, _, data) in ordered) stream.Write(MemoryMarshal.AsBytes(data.AsSpan()));
        stream.Flush(flushToDisk: true);
    }
}
