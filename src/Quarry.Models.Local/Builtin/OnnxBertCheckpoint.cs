namespace Quarry.Models.Local.Builtin;

/// <summary>
/// Recovers a Hugging Face BERT checkpoint from a BERT exported to ONNX by PyTorch. Embeddings, biases and LayerNorms
/// keep their Hugging Face names; every linear layer's weight is an anonymous <c>[in, out]</c> initializer fed to a
/// MatMul whose result an Add offsets by the layer's named bias, so the weight takes the bias's name
/// (<c>….query.bias</c> → <c>….query.weight</c>) and is transposed to <c>[out, in]</c>.
/// </summary>
internal static class OnnxBertCheckpoint
{
    /// <returns>Tensors by Hugging Face name.</returns>
    /// <exception cref="InvalidDataException">The graph is not a BERT encoder this mapping understands.</exception>
    public static IReadOnlyDictionary<string, OnnxTensor> Extract(OnnxGraph graph)
    {
        var consumers = new Dictionary<string, List<OnnxNode>>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            foreach (var input in node.Inputs)
            {
                if (!consumers.TryGetValue(input, out var list)) consumers[input] = list = [];
                list.Add(node);
            }
        }

        var tensors = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in graph.Initializers)
        {
            if (IsNamed(name))
            {
                tensors[name] = tensor;
                continue;
            }
            var matMul = consumers.GetValueOrDefault(name)?.FirstOrDefault(n => n.OpType == "MatMul");
            if (matMul is null || tensor.Shape.Length != 2) continue;
            var bias = consumers.GetValueOrDefault(matMul.Outputs[0])?
                .Where(n => n.OpType == "Add")
                .SelectMany(n => n.Inputs)
                .FirstOrDefault(i => i.EndsWith(".bias", StringComparison.Ordinal) && graph.Initializers.ContainsKey(i));
            if (bias is null)
                throw new InvalidDataException($"ONNX MatMul weight '{name}' is not followed by the Add of a named bias: not a BERT export this reader understands.");
            var weightName = bias[..^".bias".Length] + ".weight";
            if (!tensors.TryAdd(weightName, Transpose(weightName, tensor)))
                throw new InvalidDataException($"Two ONNX MatMul weights map to '{weightName}'.");
        }
        if (!tensors.Keys.Any(k => k.EndsWith("embeddings.word_embeddings.weight", StringComparison.Ordinal)))
            throw new InvalidDataException("The ONNX model has no 'embeddings.word_embeddings.weight' initializer: not a BERT export.");
        return tensors;
    }

    private static bool IsNamed(string name) =>
        name.EndsWith(".bias", StringComparison.Ordinal) || name.Contains("embeddings.", StringComparison.Ordinal) ||
        name.Contains("LayerNorm", StringComparison.Ordinal);

    private static OnnxTensor Transpose(string name, OnnxTensor tensor)
    {
        var (rows, cols) = (tensor.Shape[0], tensor.Shape[1]);
        var result = new float[tensor.Data.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++) result[c * rows + r] = tensor.Data[r * cols + c];
        }
        return new OnnxTensor(name, [cols, rows], result);
    }
}
