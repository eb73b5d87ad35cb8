using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quarry.Documents;
using Quarry.Embedding;
using Quarry.Ingestion;
using Quarry.Storage;
using Quarry.Vectorizing;

namespace Quarry.Cli.Commands;

/// <summary>
/// <c>quarry ingest</c> has no background stage: once the documents are stored (and searchable by keyword) it fills
/// their vectors in the foreground, with a progress line on stderr. Interrupted, the documents stay stored; the vectors
/// are finished by the next <c>quarry ingest</c>, <c>quarry reindex</c> or a server.
/// </summary>
internal static class IngestVectors
{
    /// <returns>The vectors' state for the report, or null when none were filled (no embedder, or skipped).</returns>
    public static async Task<VectorFillReport?> FillAsync(IServiceProvider services, TenantId tenant, string knowledgeBase, CancellationToken cancellationToken)
    {
        var filler = services.GetRequiredService<VectorFiller>();
        if (!filler.CanFill || services.GetRequiredService<IOptions<IngestionOptions>>().Value.Vectors == IngestionVectors.Off) return null;
        var kb = await services.GetRequiredService<IDocumentStore>().FindKnowledgeBaseAsync(tenant, knowledgeBase, cancellationToken);
        if (kb is null) return null;

        var time = services.GetRequiredService<TimeProvider>();
        var started = time.GetTimestamp();
        var line = new ProgressLine(time, started);
        try
        {
            var report = await filler.FillAsync(kb, maxBatches: null, line, cancellationToken);
            line.Finish();
            if (report.Embedded > 0)
            {
                var seconds = time.GetElapsedTime(started).TotalSeconds;
                await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"vectors    {report.Embedded} chunks embedded with {report.Model.Id} in {seconds:F1}s"));
            }
            return report;
        }
        catch (OperationCanceledException)
        {
            line.Finish();
            await Console.Error.WriteLineAsync($"vectors    interrupted: the documents are stored and searchable by keyword; " +
                $"'quarry reindex --kb {knowledgeBase}' (or a server) fills the remaining vectors.");
            throw;
        }
        catch (EmbeddingException e)
        {
            line.Finish();
            await Console.Error.WriteLineAsync($"vectors    embedding failed ({e.Message}): the documents are stored and searchable by keyword; " +
                $"'quarry reindex --kb {knowledgeBase}' (or a server) fills the remaining vectors.");
            return null;
        }
    }

    /// <summary>One line, rewritten in place on a terminal, a line per 10% when redirected.</summary>
    private sealed class ProgressLine(TimeProvider time, long started) : IProgress<VectorFillProgress>
    {
        private readonly bool _inPlace = !Console.IsErrorRedirected;
        private int _lastDecile = -1;
        private bool _written;

        public void Report(VectorFillProgress value)
        {
            if (value.Chunks == 0 || value.Done >= value.Chunks && value.Embedded == 0) return;
            var seconds = Math.Max(time.GetElapsedTime(started).TotalSeconds, 1e-3);
            var text = string.Create(CultureInfo.InvariantCulture,
                $"vectors    {value.Done:N0}/{value.Chunks:N0} chunks ({value.Embedded / seconds:F0} chunks/s)");
            if (_inPlace)
            {
                Console.Error.Write("\r" + text + "   ");
                _written = true;
                return;
            }
            var decile = (int)(10L * value.Done / value.Chunks);
            if (decile == _lastDecile) return;
            _lastDecile = decile;
            Console.Error.WriteLine(text);
        }

        public void Finish()
        {
            if (_written) Console.Error.WriteLine();
            _written = false;
        }
    }
}
