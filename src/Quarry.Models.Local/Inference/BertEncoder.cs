using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics.Tensors;
using Quarry.Models.Local.Loading;

namespace Quarry.Models.Local.Inference;

/// <summary>
/// The BERT encoder forward pass on CPU. Sequences of a batch are packed end to end without padding: every
/// token-wise step (projections, feed-forward, layer norms) runs over exactly the real tokens as one tall matrix, and
/// only attention looks at sequence boundaries, one (sequence, head) pair per task, so no work is spent on padding
/// and no attention mask is needed (a padded key's softmax weight is exactly zero in PyTorch too). Work is split
/// across cores by sequences (see <see cref="Forward"/>) or, for one long sequence, per block of rows (or columns);
/// buffers come from a pool of workspaces.
/// </summary>
internal sealed class BertEncoder
{
    private readonly ConcurrentBag<Workspace> _workspaces = [];
    private readonly ParallelOptions _parallel;

    public BertEncoder(BertConfig config, BertWeights weights, int maxDegreeOfParallelism)
    {
        Config = config;
        Weights = weights;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxDegreeOfParallelism) };
    }

    public BertConfig Config { get; }

    public BertWeights Weights { get; }

    public int Threads => _parallel.MaxDegreeOfParallelism;

    /// <summary>Below this many tokens a lone sequence runs on one core: splitting its layers costs more than it saves.</summary>
    internal const int MinTokensPerSplitPass = 64;

    /// <summary>
    /// Runs the encoder; the caller reads the last hidden states from the returned workspace and returns it. A batch
    /// of several sequences is split into one group per core, each run start to finish on its own core (one fork and
    /// join per pass, which stays fast on a busy machine); a single long sequence is split inside each layer instead.
    /// </summary>
    public Workspace Forward(EncoderBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var c = Config;
        foreach (var length in batch.Lengths())
        {
            if (length > c.MaxPositions)
                throw new ArgumentException($"A sequence of {length} tokens exceeds the model's {c.MaxPositions} positions.", nameof(batch));
        }
        var groups = Math.Min(Threads, batch.Count);
        if (groups <= 1 || batch.TokenCount < MinTokensPerSplitPass)
            return ForwardCore(batch, Threads > 1 && batch.TokenCount >= MinTokensPerSplitPass ? _parallel : null, cancellationToken);

        var parts = batch.Split(groups);
        var results = new Workspace?[parts.Count];
        try
        {
            Parallel.For(0, parts.Count, _parallel, g => results[g] = ForwardCore(parts[g].Batch, null, cancellationToken));
            var ws = Rent(batch.TokenCount);
            var h = c.HiddenSize;
            for (var g = 0; g < parts.Count; g++)
                results[g]!.Hidden.AsSpan(0, parts[g].Batch.TokenCount * h).CopyTo(ws.Hidden.AsSpan(parts[g].TokenOffset * h));
            return ws;
        }
        finally
        {
            foreach (var part in results)
            {
                if (part is not null) Return(part);
            }
        }
    }

    /// <param name="parallel">Split each step across cores, or null to run on the calling thread.</param>
    private Workspace ForwardCore(EncoderBatch batch, ParallelOptions? parallel, CancellationToken cancellationToken)
    {
        var ws = Rent(batch.TokenCount);
        try
        {
            Embed(batch, ws, parallel);
            foreach (var layer in Weights.Layers)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Layer(layer, batch, ws, parallel);
            }
            return ws;
        }
        catch
        {
            Return(ws);
            throw;
        }
    }

    public void Return(Workspace workspace) => _workspaces.Add(workspace);

    private Workspace Rent(int tokens)
    {
        if (!_workspaces.TryTake(out var ws)) ws = new Workspace();
        ws.Ensure(tokens, Config.HiddenSize, Config.IntermediateSize);
        return ws;
    }

    private void Embed(EncoderBatch batch, Workspace ws, ParallelOptions? parallel)
    {
        var h = Config.HiddenSize;
        var w = Weights;
        var eps = Config.LayerNormEpsilon;
        Rows(batch.TokenCount, (start, end) =>
        {
            var hidden = ws.Hidden.AsSpan();
            for (var t = start; t < end; t++)
            {
                var (position, type) = batch.PositionAndType(t);
                var id = batch.Ids[t];
                if ((uint)id >= (uint)Config.VocabSize) throw new ArgumentException($"Token id {id} is outside the vocabulary ({Config.VocabSize}).", nameof(batch));
                if (type >= Config.TypeVocabSize) type = 0;
                var row = hidden.Slice(t * h, h);
                TensorPrimitives.Add(w.WordEmbeddings.AsSpan(id * h, h), w.PositionEmbeddings.AsSpan(position * h, h), row);
                TensorPrimitives.Add(row, w.TokenTypeEmbeddings.AsSpan(type * h, h), row);
                Activations.LayerNorm(row, w.EmbeddingNormWeight, w.EmbeddingNormBias, eps);
            }
        }, parallel);
    }

    private void Layer(BertLayerWeights layer, EncoderBatch batch, Workspace ws, ParallelOptions? parallel)
    {
        var h = Config.HiddenSize;
        var i = Config.IntermediateSize;
        var m = batch.TokenCount;
        var eps = Config.LayerNormEpsilon;

        Linear(ws, ws.Hidden, h, m, layer.Qkv, ws.Qkv, 3 * h, layer.QkvBias, accumulate: false, epilogue: null, parallel);
        Attention(batch, ws, parallel);
        // The residual is added by accumulating into the hidden states, then normalized row by row.
        Linear(ws, ws.Context, h, m, layer.AttentionOutput, ws.Hidden, h, layer.AttentionOutputBias, accumulate: true,
            (hidden, row) => Activations.LayerNorm(hidden.AsSpan(row * h, h), layer.AttentionNormWeight, layer.AttentionNormBias, eps), parallel);
        var activation = Activation();
        Linear(ws, ws.Hidden, h, m, layer.Intermediate, ws.Intermediate, i, layer.IntermediateBias, accumulate: false,
            (inter, row) => activation(inter.AsSpan(row * i, i)), parallel);
        Linear(ws, ws.Intermediate, i, m, layer.Output, ws.Hidden, h, layer.OutputBias, accumulate: true,
            (hidden, row) => Activations.LayerNorm(hidden.AsSpan(row * h, h), layer.OutputNormWeight, layer.OutputNormBias, eps), parallel);
    }

    private delegate void SpanAction(Span<float> values);

    private SpanAction Activation() => Config.HiddenAct switch
    {
        "gelu" => Activations.Gelu,
        "relu" => Activations.Relu,
        _ => Activations.GeluTanh,
    };

    /// <summary>
    /// C = A·B + bias (+ C), then <paramref name="epilogue"/> on each finished row. Tall inputs are split by row
    /// blocks (each task finishes its rows, so the epilogue runs while they are in cache); short ones by column panels
    /// too, with the epilogue as a second pass. An int8 weight first has A quantized row by row.
    /// </summary>
    private static void Linear(Workspace ws, float[] a, int k, int m, LinearWeight b, float[] c, int n, float[] bias, bool accumulate,
        Action<float[], int>? epilogue, ParallelOptions? parallel)
    {
        if (b.Quantized is not null)
            Rows(m, (start, end) => Int8Gemm.QuantizeRows(a, k, start, end, k, ws.Quantized, ws.RowScales), parallel);
        var rowBlocks = (m + Gemm.BlockRows - 1) / Gemm.BlockRows;
        var threads = parallel?.MaxDegreeOfParallelism ?? 1;
        var splits = rowBlocks >= 2 * threads || threads == 1 ? 1 : Math.Min(b.Panels, (2 * threads + rowBlocks - 1) / rowBlocks);
        var panelsPerSplit = (b.Panels + splits - 1) / splits;
        var tasks = rowBlocks * splits;
        void Task(int task)
        {
            var block = task / splits;
            var split = task % splits;
            var rowStart = block * Gemm.BlockRows;
            var rowEnd = Math.Min(m, rowStart + Gemm.BlockRows);
            var panelStart = split * panelsPerSplit;
            var panelEnd = Math.Min(b.Panels, panelStart + panelsPerSplit);
            if (b.Quantized is { } quantized)
                Int8Gemm.Multiply(ws.Quantized, ws.RowScales, rowStart, rowEnd, quantized, panelStart, panelEnd, c, n, bias, accumulate);
            else
                Gemm.Multiply(a, k, rowStart, rowEnd, k, b.Single!.Data, n, panelStart, panelEnd, c, n, bias, accumulate);
            if (epilogue is not null && splits == 1)
            {
                for (var row = rowStart; row < rowEnd; row++) epilogue(c, row);
            }
        }
        if (parallel is null || tasks == 1)
        {
            for (var t = 0; t < tasks; t++) Task(t);
        }
        else
        {
            Parallel.For(0, tasks, parallel, Task);
        }
        if (epilogue is not null && splits > 1)
            Rows(m, (start, end) =>
            {
                for (var row = start; row < end; row++) epilogue(c, row);
            }, parallel);
    }

    /// <summary>Scaled dot-product attention per (sequence, head): softmax(Q·Kᵀ)·V over the sequence's own tokens.</summary>
    private void Attention(EncoderBatch batch, Workspace ws, ParallelOptions? parallel)
    {
        var heads = Config.Heads;
        var tasks = batch.Count * heads;
        void Task(int task)
        {
            var sequence = task / heads;
            var head = task % heads;
            AttendOne(ws, batch.Start(sequence), batch.Start(sequence + 1) - batch.Start(sequence), head);
        }
        if (tasks == 1 || parallel is null)
        {
            for (var t = 0; t < tasks; t++) Task(t);
        }
        else
        {
            Parallel.For(0, tasks, parallel, Task);
        }
    }

    private void AttendOne(Workspace ws, int offset, int length, int head)
    {
        var h = Config.HiddenSize;
        var d = Config.HeadSize;
        var ld = 3 * h;
        var width = Gemm.PanelWidth;
        var keyPanels = Gemm.PanelCount(length);
        var ldScores = keyPanels * width;
        var packedKeys = ArrayPool<float>.Shared.Rent(keyPanels * width * d);
        var scores = ArrayPool<float>.Shared.Rent(length * ldScores);
        var packedValues = ArrayPool<float>.Shared.Rent(Gemm.PanelCount(d) * width * length);
        try
        {
            var qkv = ws.Qkv.AsSpan();
            var queries = qkv[(offset * ld + head * d)..];
            Gemm.PackTransposed(qkv[(offset * ld + h + head * d)..], ld, d, length, packedKeys);
            Gemm.Multiply(queries, ld, 0, length, d, packedKeys, length, 0, keyPanels, scores, ldScores, default, accumulate: false);
            for (var row = 0; row < length; row++) Activations.Softmax(scores.AsSpan(row * ldScores, length));
            Gemm.PackRows(qkv[(offset * ld + 2 * h + head * d)..], ld, length, d, packedValues);
            Gemm.Multiply(scores, ldScores, 0, length, length, packedValues, d, 0, Gemm.PanelCount(d),
                ws.Context.AsSpan(offset * h + head * d), h, default, accumulate: false);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packedKeys);
            ArrayPool<float>.Shared.Return(scores);
            ArrayPool<float>.Shared.Return(packedValues);
        }
    }

    /// <summary>Runs a row-wise body over [0, rows), split across cores when there is enough work.</summary>
    private static void Rows(int rows, Action<int, int> body, ParallelOptions? parallel)
    {
        const int Chunk = 64;
        if (rows <= Chunk || parallel is null)
        {
            body(0, rows);
            return;
        }
        Parallel.For(0, (rows + Chunk - 1) / Chunk, parallel, chunk => body(chunk * Chunk, Math.Min(rows, (chunk + 1) * Chunk)));
    }

    /// <summary>Grow-only activation buffers for one forward pass at a time.</summary>
    internal sealed class Workspace
    {
        public float[] Hidden { get; private set; } = [];
        public float[] Qkv { get; private set; } = [];
        public float[] Context { get; private set; } = [];
        public float[] Intermediate { get; private set; } = [];

        /// <summary>Activations quantized for an int8 layer, and each row's scale.</summary>
        public byte[] Quantized { get; private set; } = [];
        public float[] RowScales { get; private set; } = [];

        public void Ensure(int tokens, int hidden, int intermediate)
        {
            if (Hidden.Length >= tokens * hidden && Intermediate.Length >= tokens * intermediate) return;
            // Grow by half again so that slowly increasing batches do not reallocate every time.
            var capacity = Math.Max(tokens, Hidden.Length / Math.Max(1, hidden) * 3 / 2);
            Hidden = new float[capacity * hidden];
            Qkv = new float[capacity * hidden * 3];
            Context = new float[capacity * hidden];
            Intermediate = new float[capacity * intermediate];
            Quantized = new byte[capacity * Int8Gemm.Stride(Math.Max(hidden, intermediate))];
            RowScales = new float[capacity];
        }
    }
}
