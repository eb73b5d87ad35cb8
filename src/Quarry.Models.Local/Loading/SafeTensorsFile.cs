using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Quarry.Models.Local.Loading;

/// <summary>
/// Reads a <c>.safetensors</c> file: an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
/// shape and byte range, then the raw little-endian data. Tensors are read one at a time and widened to float32, so
/// F16/BF16 checkpoints cost their own size on disk and float32 in memory.
/// </summary>
internal sealed class SafeTensorsFile : IDisposable
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _handle;
    private readonly long _dataStart;

    private SafeTensorsFile(string path, Microsoft.Win32.SafeHandles.SafeFileHandle handle, long dataStart, Dictionary<string, TensorInfo> tensors)
    {
        Path = path;
        _handle = handle;
        _dataStart = dataStart;
        Tensors = tensors;
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, TensorInfo> Tensors { get; }

    public static SafeTensorsFile Open(string path)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            var length = RandomAccess.GetLength(handle);
            Span<byte> prefix = stackalloc byte[8];
            if (length < 8 || RandomAccess.Read(handle, prefix, 0) != 8)
                throw new InvalidDataException($"{path} is not a safetensors file: it is shorter than its 8-byte header length.");
            var headerLength = BinaryPrimitives.ReadInt64LittleEndian(prefix);
            if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > length)
                throw new InvalidDataException($"{path} is not a safetensors file: header length {headerLength} does not fit the file ({length} bytes).");
            var header = new byte[headerLength];
            ReadExactly(handle, header, 8, path);
            var dataStart = 8 + headerLength;
            return new SafeTensorsFile(path, handle, dataStart, ParseHeader(path, header, length - dataStart));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => Tensors.ContainsKey(name);

    /// <summary>Reads a floating-point tensor as float32, checking its shape.</summary>
    public float[] ReadSingle(string name, params int[] expectedShape)
    {
        var info = Get(name, expectedShape);
        var count = checked((int)info.ElementCount);
        var result = new float[count];
        if (info.DType == "F32")
        {
            ReadExactly(_handle, MemoryMarshal.AsBytes(result.AsSpan()), _dataStart + info.Begin, Path);
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Big-endian machines are not supported.");
            return result;
        }
        var bytes = ArrayPool<byte>.Shared.Rent(checked((int)(info.End - info.Begin)));
        try
        {
            var raw = bytes.AsSpan(0, (int)(info.End - info.Begin));
            ReadExactly(_handle, raw, _dataStart + info.Begin, Path);
            switch (info.DType)
            {
                case "F16":
                    for (var i = 0; i < count; i++) result[i] = (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]));
                    break;
                case "BF16":
                    // bfloat16 is the upper half of a float32.
                    for (var i = 0; i < count; i++) result[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]) << 16);
                    break;
                case "F64":
                    for (var i = 0; i < count; i++) result[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(raw[(8 * i)..]);
                    break;
                default:
                    throw new InvalidDataException($"{Path}: tensor '{name}' has dtype {info.DType}; expected F32, F16, BF16 or F64.");
            }
            return result;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Reads an integer tensor (I32 or I64 with values that fit) as int32.</summary>
    public int[] ReadInt32(string name, params int[] expectedShape)
    {
        var info = Get(name, expectedShape);
        var count = checked((int)info.ElementCount);
        var result = new int[count];
        if (info.DType == "I32")
        {
            ReadExactly(_handle, MemoryMarshal.AsBytes(result.AsSpan()), _dataStart + info.Begin, Path);
            return result;
        }
        if (info.DType != "I64")
            throw new InvalidDataException($"{Path}: tensor '{name}' has dtype {info.DType}; expected I32 or I64.");
        var wide = new long[count];
        ReadExactly(_handle, MemoryMarshal.AsBytes(wide.AsSpan()), _dataStart + info.Begin, Path);
        for (var i = 0; i < count; i++) result[i] = checked((int)wide[i]);
        return result;
    }

    public TensorInfo Get(string name, int[] expectedShape)
    {
        if (!Tensors.TryGetValue(name, out var info))
            throw new InvalidDataException($"{Path} has no tensor '{name}'.");
        if (expectedShape.Length > 0 && !info.Shape.AsSpan().SequenceEqual(expectedShape))
            throw new InvalidDataException($"{Path}: tensor '{name}' has shape [{string.Join(", ", info.Shape)}]; config.json implies [{string.Join(", ", expectedShape)}].");
        return info;
    }

    public void Dispose() => _handle.Dispose();

    private static void ReadExactly(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> buffer, long offset, string path)
    {
        while (buffer.Length > 0)
        {
            var read = RandomAccess.Read(handle, buffer, offset);
            if (read <= 0) throw new InvalidDataException($"{path} ends early: it is truncated or still downloading.");
            buffer = buffer[read..];
            offset += read;
        }
    }

    private static Dictionary<string, TensorInfo> ParseHeader(string path, byte[] header, long dataLength)
    {
        using var json = JsonDocument.Parse(header);
        var tensors = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        foreach (var property in json.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__") continue;
            var value = property.Value;
            var dtype = value.GetProperty("dtype").GetString() ?? "";
            var shape = value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            var offsets = value.GetProperty("data_offsets");
            var begin = offsets[0].GetInt64();
            var end = offsets[1].GetInt64();
            var info = new TensorInfo(property.Name, dtype, shape, begin, end);
            var size = ElementSize(dtype);
            if (begin < 0 || end < begin || end > dataLength || (size > 0 && (end - begin) != info.ElementCount * size))
                throw new InvalidDataException($"{path}: tensor '{property.Name}' ({dtype} [{string.Join(", ", shape)}]) has byte range {begin}..{end}, which does not fit its shape or the file.");
            tensors.Add(property.Name, info);
        }
        return tensors;
    }

    private static int ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" => 8,
        "F32" or "I32" => 4,
        "F16" or "BF16" or "I16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => 0,
    };
}

internal sealed record TensorInfo(string Name, string DType, int[] Shape, long Begin, long End)
{
    public long ElementCount => Shape.Aggregate(1L, (product, d) => product * d);
}
