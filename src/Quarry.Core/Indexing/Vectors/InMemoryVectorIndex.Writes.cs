using System.Numerics.Tensors;
using Quarry.Documents;
using Quarry.Retrieval;

namespace Quarry.Indexing.Vectors;

internal sealed partial class InMemoryVectorIndex
{
    // ---- writes (under the write lock) ----

    private List<(ChunkId Chunk, VectorDocument Document, float[] Vector)> Prepare(IEnumerable<(ChunkId Chunk, VectorDocument Document, ReadOnlyMemory<float> Vector)> entries)
    {
        var prepared = new List<(ChunkId, VectorDocument, float[])>();
        foreach (var (chunk, document, vector) in entries)
        {
            ArgumentNullException.ThrowIfNull(document);
            CheckDimension(vector.Length, $"The vector of chunk '{chunk}'");
            var span = vector.Span;
            for (var i = 0; i < span.Length; i++)
            {
                if (!float.IsFinite(span[i]))
                    throw new ArgumentException($"The vector of chunk '{chunk}' contains a non-finite value at position {i}.", nameof(entries));
            }
            var normalized = new float[_dimension];
            // A zero vector stays zero: it scores 0 against every query rather than failing the whole batch.
            VectorMath.TryNormalize(span, normalized);
            prepared.Add((chunk, document, normalized));
        }
        return prepared;
    }

    private void CheckDimension(int actual, string what)
    {
        if (actual != _dimension)
            throw new ArgumentException($"{what} has dimension {actual}, but the vector index for model '{_options.Model}' has dimension {_dimension}.");
    }

    private void UpsertRow(ChunkId chunk, VectorDocument document, float[] vector)
    {
        var slot = SlotFor(document);
        if (_rowOfChunk.TryGetValue(chunk, out var existing))
        {
            if (_rowSlot[existing] == slot)
            {
                WriteVector(existing, vector);
                // The node's links were chosen for the old vector: it is linked afresh.
                if (_graphs.TryGetValue(document.TenantId, out var graph)) graph.Insert(existing);
                return;
            }
            RemoveRow(existing);
        }
        EnsureCapacity(_rowCount + 1);
        var row = _rowCount++;
        WriteVector(row, vector);
        _chunkIds[row] = chunk;
        _rowSlot[row] = slot;
        _rowOfChunk[chunk] = row;
        _slots[slot]!.Rows.Add(row);
        RowAdded(document.TenantId, row);
    }

    private void WriteVector(int row, float[] vector)
    {
        var offset = (row & _segmentMask) * _dimension;
        vector.CopyTo(_vectors[row >> _segmentShift].AsSpan(offset, _dimension));
        if (_options.Quantize)
            _scales[row] = VectorMath.Quantize(vector, _quantized[row >> _segmentShift].AsSpan(offset, _dimension));
    }

    private int SlotFor(VectorDocument document)
    {
        if (_slotOfDocument.TryGetValue(document.Id, out var slot))
        {
            var entry = _slots[slot]!;
            if (entry.Document.TenantId != document.TenantId)
            {
                _slotsOfTenant[entry.Document.TenantId].Remove(slot);
                TenantSlots(document.TenantId).Add(slot);
                foreach (var row in entry.Rows)
                {
                    RowRemoved(entry.Document.TenantId, row);
                    RowAdded(document.TenantId, row);
                }
            }
            // Newer metadata (tags, updated-at) wins: filters always see the document as last written.
            entry.Document = document;
            return slot;
        }
        var fresh = new DocumentSlot(document);
        if (_freeSlots.TryPop(out slot))
        {
            _slots[slot] = fresh;
        }
        else
        {
            slot = _slots.Count;
            _slots.Add(fresh);
        }
        _slotOfDocument[document.Id] = slot;
        TenantSlots(document.TenantId).Add(slot);
        return slot;
    }

    private HashSet<int> TenantSlots(TenantId tenant)
    {
        if (!_slotsOfTenant.TryGetValue(tenant, out var set))
        {
            set = [];
            _slotsOfTenant[tenant] = set;
        }
        return set;
    }

    private bool RemoveDocumentRows(DocumentId document)
    {
        if (!_slotOfDocument.Remove(document, out var slot)) return false;
        var entry = _slots[slot]!;
        foreach (var row in entry.Rows)
        {
            RowRemoved(entry.Document.TenantId, row);
            _rowOfChunk.Remove(_chunkIds[row]);
            _rowSlot[row] = -1;
            _chunkIds[row] = default;
            _tombstones++;
        }
        _slotsOfTenant[entry.Document.TenantId].Remove(slot);
        _slots[slot] = null;
        _freeSlots.Push(slot);
        return true;
    }

    private void RemoveRow(int row)
    {
        var entry = _slots[_rowSlot[row]]!;
        RowRemoved(entry.Document.TenantId, row);
        entry.Rows.Remove(row);
        _rowOfChunk.Remove(_chunkIds[row]);
        _rowSlot[row] = -1;
        _chunkIds[row] = default;
        _tombstones++;
    }

    private void EnsureCapacity(int rows)
    {
        var rowsPerSegment = 1 << _segmentShift;
        while (_vectors.Count * rowsPerSegment < rows)
        {
            _vectors.Add(new float[rowsPerSegment * _dimension]);
            if (_options.Quantize) _quantized.Add(new sbyte[rowsPerSegment * _dimension]);
        }
        if (_rowSlot.Length < rows)
        {
            var size = Math.Max(rows, Math.Max(1024, _rowSlot.Length * 2));
            Array.Resize(ref _rowSlot, size);
            Array.Resize(ref _chunkIds, size);
            if (_options.Quantize) Array.Resize(ref _scales, size);
        }
    }

    private void CompactIfNeeded()
    {
        if (_tombstones > 0 && _tombstones >= _rowCount * _options.CompactionThreshold) CompactLocked();
    }

    private void CompactLocked()
    {
        if (_tombstones == 0) return;
        var newRowOfOld = _graphs.Count > 0 ? new int[_rowCount] : null;
        var write = 0;
        for (var read = 0; read < _rowCount; read++)
        {
            if (_rowSlot[read] < 0) continue;
            if (newRowOfOld is not null) newRowOfOld[read] = write;
            if (read != write)
            {
                var from = (read & _segmentMask) * _dimension;
                var to = (write & _segmentMask) * _dimension;
                _vectors[read >> _segmentShift].AsSpan(from, _dimension).CopyTo(_vectors[write >> _segmentShift].AsSpan(to, _dimension));
                if (_options.Quantize)
                {
                    _quantized[read >> _segmentShift].AsSpan(from, _dimension).CopyTo(_quantized[write >> _segmentShift].AsSpan(to, _dimension));
                    _scales[write] = _scales[read];
                }
                _chunkIds[write] = _chunkIds[read];
                _rowSlot[write] = _rowSlot[read];
                _rowOfChunk[_chunkIds[write]] = write;
            }
            write++;
        }
        Array.Fill(_rowSlot, -1, write, _rowCount - write);
        Array.Fill(_chunkIds, default, write, _rowCount - write);
        _rowCount = write;
        _tombstones = 0;

        if (newRowOfOld is not null) RemapGraphs(newRowOfOld);
        foreach (var entry in _slots) entry?.Rows.Clear();
        for (var row = 0; row < _rowCount; row++) _slots[_rowSlot[row]]!.Rows.Add(row);

        var rowsPerSegment = 1 << _segmentShift;
        var segmentsNeeded = (_rowCount + rowsPerSegment - 1) / rowsPerSegment;
        if (_vectors.Count > segmentsNeeded) _vectors.RemoveRange(segmentsNeeded, _vectors.Count - segmentsNeeded);
        if (_quantized.Count > segmentsNeeded) _quantized.RemoveRange(segmentsNeeded, _quantized.Count - segmentsNeeded);
    }
}
