using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Quarry.Models.Local.Builtin;

/// <summary>
/// The parts of an ONNX model (a protobuf <c>ModelProto</c>) that turning it into a checkpoint needs: the float
/// initializers with their shapes, and each node's operator, inputs and outputs. Everything else (attributes, value
/// infos, metadata) is skipped. Written for the built-in models so that no ONNX or protobuf library is needed.
/// </summary>
internal sealed class OnnxGraph
{
    private OnnxGraph(IReadOnlyDictionary<string, OnnxTensor> initializers, IReadOnlyList<OnnxNode> nodes)
    {
        Initializers = initializers;
        Nodes = nodes;
    }

    /// <summary>Float32 initializers by name (other types, e.g. int64 position ids, are left out).</summary>
    public IReadOnlyDictionary<string, OnnxTensor> Initializers { get; }

    public IReadOnlyList<OnnxNode> Nodes { get; }

    // Field numbers from onnx.proto3.
    private const int ModelGraph = 7;
    private const int GraphNode = 1, GraphInitializer = 5;
    private const int NodeInput = 1, NodeOutput = 2, NodeOpType = 4;
    private const int TensorDims = 1, TensorDataType = 2, TensorFloatData = 4, TensorName = 8, TensorRawData = 9, TensorDataLocation = 14;
    private const int FloatType = 1;

    /// <exception cref="InvalidDataException">The bytes are not an ONNX model with an inline graph.</exception>
    public static OnnxGraph Parse(ReadOnlyMemory<byte> model)
    {
        ReadOnlyMemory<byte>? graph = null;
        var reader = new ProtoReader(model);
        while (reader.Next(out var field, out var wire))
        {
            if (field == ModelGraph && wire == WireType.Bytes) graph = reader.Bytes();
            else reader.Skip(wire);
        }
        if (graph is null) throw new InvalidDataException("The ONNX model has no graph.");

        var initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        var nodes = new List<OnnxNode>();
        reader = new ProtoReader(graph.Value);
        while (reader.Next(out var field, out var wire))
        {
            if (field == GraphNode && wire == WireType.Bytes) nodes.Add(ReadNode(reader.Bytes()));
            else if (field == GraphInitializer && wire == WireType.Bytes)
            {
                if (ReadTensor(reader.Bytes()) is { } tensor) initializers[tensor.Name] = tensor;
            }
            else reader.Skip(wire);
        }
        return new OnnxGraph(initializers, nodes);
    }

    private static OnnxNode ReadNode(ReadOnlyMemory<byte> bytes)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        var op = "";
        var reader = new ProtoReader(bytes);
        while (reader.Next(out var field, out var wire))
        {
            switch (field)
            {
                case NodeInput when wire == WireType.Bytes: inputs.Add(reader.String()); break;
                case NodeOutput when wire == WireType.Bytes: outputs.Add(reader.String()); break;
                case NodeOpType when wire == WireType.Bytes: op = reader.String(); break;
                default: reader.Skip(wire); break;
            }
        }
        return new OnnxNode(op, inputs, outputs);
    }

    /// <returns>The tensor, or null when it is not float32.</returns>
    private static OnnxTensor? ReadTensor(ReadOnlyMemory<byte> bytes)
    {
        var dims = new List<long>();
        var type = 0;
        var name = "";
        ReadOnlyMemory<byte>? raw = null;
        List<float>? floats = null;
        var reader = new ProtoReader(bytes);
        while (reader.Next(out var field, out var wire))
        {
            switch (field)
            {
                case TensorDims when wire == WireType.Varint: dims.Add((long)reader.Varint()); break;
                case TensorDims when wire == WireType.Bytes:
                    var packed = new ProtoReader(reader.Bytes());
                    while (!packed.AtEnd) dims.Add((long)packed.Varint());
                    break;
                case TensorDataType when wire == WireType.Varint: type = (int)reader.Varint(); break;
                case TensorName when wire == WireType.Bytes: name = reader.String(); break;
                case TensorRawData when wire == WireType.Bytes: raw = reader.Bytes(); break;
                case TensorFloatData when wire == WireType.Bytes:
                    floats ??= [];
                    foreach (var f in MemoryMarshal.Cast<byte, float>(reader.Bytes().Span)) floats.Add(f);
                    break;
                case TensorFloatData when wire == WireType.Fixed32:
                    (floats ??= []).Add(BitConverter.Int32BitsToSingle((int)reader.Fixed32()));
                    break;
                case TensorDataLocation when wire == WireType.Varint:
                    if (reader.Varint() != 0) throw new InvalidDataException($"ONNX tensor '{name}' keeps its data in an external file; only inline weights are read.");
                    break;
                default: reader.Skip(wire); break;
            }
        }
        if (type != FloatType) return null;
        var shape = dims.Select(d => checked((int)d)).ToArray();
        var count = shape.Aggregate(1L, (p, d) => p * d);
        float[] data;
        if (raw is { } r)
        {
            if (r.Length != count * sizeof(float))
                throw new InvalidDataException($"ONNX tensor '{name}' [{string.Join(", ", shape)}] has {r.Length} bytes of data.");
            data = new float[count];
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Big-endian machines are not supported.");
            r.Span.CopyTo(MemoryMarshal.AsBytes(data.AsSpan()));
        }
        else
        {
            data = floats?.ToArray() ?? [];
            if (data.Length != count)
                throw new InvalidDataException($"ONNX tensor '{name}' [{string.Join(", ", shape)}] has {data.Length} values.");
        }
        return new OnnxTensor(name, shape, data);
    }

    private enum WireType
    {
        Varint = 0,
        Fixed64 = 1,
        Bytes = 2,
        Fixed32 = 5,
    }

    /// <summary>Protocol buffers' wire format, as far as reading known fields and skipping the rest goes.</summary>
    private struct ProtoReader(ReadOnlyMemory<byte> buffer)
    {
        private int _position;

        public readonly bool AtEnd => _position >= buffer.Length;

        public bool Next(out int field, out WireType wire)
        {
            if (AtEnd)
            {
                field = 0;
                wire = default;
                return false;
            }
            var key = Varint();
            field = (int)(key >> 3);
            wire = (WireType)(key & 7);
            return true;
        }

        public ulong Varint()
        {
            var span = buffer.Span;
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (_position >= span.Length) throw Truncated();
                var b = span[_position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return value;
            }
            throw new InvalidDataException("The ONNX model is damaged: a varint is longer than 10 bytes.");
        }

        public uint Fixed32()
        {
            if (_position + 4 > buffer.Length) throw Truncated();
            var value = BinaryPrimitives.ReadUInt32LittleEndian(buffer.Span[_position..]);
            _position += 4;
            return value;
        }

        public ReadOnlyMemory<byte> Bytes()
        {
            var length = Varint();
            if (length > (ulong)(buffer.Length - _position)) throw Truncated();
            var slice = buffer.Slice(_position, (int)length);
            _position += (int)length;
            return slice;
        }

        public string String() => Encoding.UTF8.GetString(Bytes().Span);

        public void Skip(WireType wire)
        {
            switch (wire)
            {
                case WireType.Varint: Varint(); break;
                case WireType.Fixed64: Advance(8); break;
                case WireType.Bytes: Bytes(); break;
                case WireType.Fixed32: Advance(4); break;
                default: throw new InvalidDataException($"The ONNX model is damaged: unknown protobuf wire type {(int)wire}.");
            }
        }

        private void Advance(int count)
        {
            if (_position + count > buffer.Length) throw Truncated();
            _position += count;
        }

        private static InvalidDataException Truncated() => new("The ONNX model is truncated.");
    }
}

internal sealed record OnnxTensor(string Name, int[] Shape, float[] Data);

internal sealed record OnnxNode(string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);
