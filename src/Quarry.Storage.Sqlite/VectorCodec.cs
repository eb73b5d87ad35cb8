using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Quarry.Storage.Sqlite;

/// <summary>Vectors are stored as little-endian float32 whatever the machine, so a database file moves between hosts.</summary>
internal static class VectorCodec
{
    public static byte[] Encode(ReadOnlySpan<float> vector)
    {
        if (BitConverter.IsLittleEndian)
            return MemoryMarshal.AsBytes(vector).ToArray();
        var bytes = new byte[vector.Length * sizeof(float)];
        for (var i = 0; i < vector.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
        return bytes;
    }

    public static float[] Decode(ReadOnlySpan<byte> bytes)
    {
        var vector = new float[bytes.Length / sizeof(float)];
        if (BitConverter.IsLittleEndian)
        {
            bytes[..(vector.Length * sizeof(float))].CopyTo(MemoryMarshal.AsBytes(vector.AsSpan()));
            return vector;
        }
        for (var i = 0; i < vector.Length; i++)
            vector[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
        return vector;
    }
}
