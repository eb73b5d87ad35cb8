using Quarry.Chunking;
using Quarry.Documents;
using Quarry.Parsing;
using Quarry.Storage;

namespace Quarry.Ingestion;

/// <summary>
/// Child documents: files a document carries (an email's attachments, <see cref="ParsedDocument.Attachments"/>) become
/// documents of their own, linked to it by <see cref="DocumentWrite.ParentId"/>, so each is found, cited and filtered
/// like any file. They are parsed on the parent's thread under the parent's CPU and time budgets (each with its own
/// extraction caps), written by the parent's job (so a delete fences them too), and replaced with the parent: a
/// re-ingest removes the children the new version no longer has. An attachment no parser can read is skipped.
/// </summary>
public sealed partial class DocumentIngestor
{
    private sealed record ParsedChild(ParsedAttachment Attachment, ParsedDocument Parsed, IReadOnlyList<ChunkContent> Chunks);

    private async Task<IReadOnlyList<ParsedChild>> ParseChildrenAsync(IngestSource source, ParsedDocument parent, Func<ParsedDocument, ParsedDocument> protect, CancellationToken cancellationToken)
    {
        if (parent.Attachments is not { Count: > 0 } attachments) return [];
        var children = new List<ParsedChild>();
        foreach (var attachment in attachments)
        {
            try
            {
                using var budget = ExtractionBudget.Enter(new ExtractionBudget(_parsing.MaxExtractedChars, _parsing.MaxElements, cancellationToken));
                var bytes = attachment.Content;
                var parsed = await _parsers.ParseAsync(new ParserInput(
                    new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: true), attachment.FileName, attachment.ContentType, bytes.Length), cancellationToken);
                parsed = protect(parsed);
                children.Add(new ParsedChild(attachment, parsed, _chunker.Chunk(parsed)));
            }
            catch (DocumentRejectedException ex)
            {
                IngestionLog.AttachmentSkipped(_logger, source.DisplayName, attachment.FileName, ex.Code, ex.Message);
            }
        }
        return children;
    }

    private async Task<IReadOnlyList<DocumentWrite>> ChildWritesAsync(IngestRequest request, KnowledgeBase knowledgeBase, IngestSource source,
        DocumentId parent, IReadOnlyDictionary<string, string> parentTags, IReadOnlyList<ParsedChild> children, CancellationToken cancellationToken)
    {
        var writes = new List<DocumentWrite>(children.Count);
        foreach (var (attachment, parsed, chunks) in children)
        {
            // The attachment's place in its parent names it: the same file re-sent replaces the same child.
            var sourceUri = $"{source.SourceUri}#attachment-{attachment.Number}/{attachment.FileName}";
            writes.Add(new DocumentWrite
            {
                TenantId = request.Tenant,
                KnowledgeBaseId = knowledgeBase.Id,
                DocumentId = DocumentIdentity.ForSource(request.Tenant, knowledgeBase.Id, sourceUri),
                ParentId = parent,
                Title = parsed.Title,
                SourceUri = sourceUri,
                ContentType = attachment.ContentType ?? MediaTypes.FromFileName(attachment.FileName),
                SizeBytes = attachment.Content.LongLength,
                Checksum = DocumentIdentity.Checksum(attachment.Content),
                Language = parsed.Language ?? LanguageDetector.Detect(parsed.Text),
                // The parent's tags (the request's, the sender and date of an email) hold for what it carries.
                Tags = DocumentMetadata.MergeTags(parentTags, parsed.Metadata),
                NormalizedText = parsed.Text,
                Chunks = chunks,
                Embeddings = await EmbedAsync(chunks, parsed.Title, cancellationToken),
                Job = request.Job,
            });
        }
        return writes;
    }

    /// <summary>Writes the children after their parent, then deletes the parent's children that are not among them.</summary>
    private async Task StoreChildrenAsync(DocumentWrite parent, IReadOnlyList<DocumentWrite> children, Tally tally, CancellationToken cancellationToken)
    {
        // What an email carries is readable by exactly those who may read the email.
        var allow = parent.Allow ?? (await _store.GetDocumentAsync(parent.TenantId, parent.DocumentId, cancellationToken))?.Allow ?? [];
        foreach (var carried in children)
        {
            var child = carried with { Allow = allow };
            var result = await _store.UpsertDocumentAsync(child, cancellationToken);
            if (result.Outcome != UpsertOutcome.Unchanged) UpdateVectorIndex(child, result, allow);
            tally.RecordChild(child.SourceUri, result);
        }
        var kept = children.Select(c => c.DocumentId).ToHashSet();
        var existing = await _store.ListDocumentsAsync(new DocumentListQuery
        {
            Tenant = parent.TenantId,
            KnowledgeBase = parent.KnowledgeBaseId,
            Parent = parent.DocumentId,
            // The children of both versions at most.
            Limit = EmailParser.MaxAttachments * 2,
        }, cancellationToken);
        foreach (var stale in existing.Items.Where(d => !kept.Contains(d.Id)))
        {
            await _store.DeleteDocumentAsync(parent.TenantId, stale.Id, cancellationToken);
            _vectors?.RemoveDocument(stale.Id);
        }
    }
}
