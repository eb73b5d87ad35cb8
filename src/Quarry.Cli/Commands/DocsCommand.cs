using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Cli.Hosting;
using Quarry.Cli.Output;
using Quarry.Documents;
using Quarry.Storage;
using Spectre.Console;

namespace Quarry.Cli.Commands;

internal static class DocsCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON.", Recursive = true };
        var command = new Command("docs", "List, show and delete documents.") { json };
        command.Subcommands.Add(List(json));
        command.Subcommands.Add(Show(json));
        command.Subcommands.Add(Delete(json));
        return command;
    }

    private static Command List(Option<bool> json)
    {
        var kb = new Option<string?>("--kb") { Description = "Only this knowledge base (default: all)." };
        var tags = new Option<string[]>("--tag") { Description = "Only documents with this tag: key=value (repeatable)." };
        var source = new Option<string?>("--source") { Description = "Only sources starting with this URI prefix." };
        var offset = new Option<int>("--offset") { DefaultValueFactory = _ => 0 };
        var limit = new Option<int>("--limit") { DefaultValueFactory = _ => 200 };
        var command = new Command("list", "List documents.") { kb, tags, source, offset, limit };
        command.SetAction(async (result, cancellationToken) =>
        {
            var (tagMap, tagError) = Tags.Parse(result.GetValue(tags));
            if (tagError is not null || result.GetValue(offset) < 0 || result.GetValue(limit) is < 1 or > 10_000)
            {
                await Console.Error.WriteLineAsync(tagError ?? "--offset must be ≥ 0 and --limit between 1 and 10000.");
                return ExitCodes.Usage;
            }
            await using var services = CliContext.BuildServices(result);
            var store = services.GetRequiredService<IDocumentStore>();
            var tenant = CliContext.ResolveTenant(result);
            var (knowledgeBases, selected, kbError) = await KnowledgeBaseLookup.ResolveAsync(store, tenant, result.GetValue(kb), cancellationToken);
            if (kbError is not null)
            {
                await Console.Error.WriteLineAsync(kbError);
                return ExitCodes.PartialFailure;
            }
            KnowledgeBaseId? kbId = result.GetValue(kb) is null ? null : selected![0].Id;
            var page = await store.ListDocumentsAsync(new DocumentListQuery
            {
                Tenant = tenant,
                KnowledgeBase = kbId,
                Tags = tagMap,
                SourcePrefix = result.GetValue(source),
                Offset = result.GetValue(offset),
                Limit = result.GetValue(limit),
            }, cancellationToken);

            var kbNames = knowledgeBases.ToDictionary(k => k.Id, k => k.Name);
            if (result.GetValue(json))
            {
                Json.Write(Console.Out, new
                {
                    total = page.Total,
                    offset = result.GetValue(offset),
                    items = page.Items.Select(d => DocumentJson(d, kbNames)),
                });
                return ExitCodes.Ok;
            }
            var table = new Table().AddColumns("Id", "Title", "KB", "Version", "Chunks", "Size", "Updated");
            foreach (var d in page.Items)
            {
                table.AddRow(d.Id.Value, Markup.Escape(Truncate(d.Title, 48)), Markup.Escape(kbNames.GetValueOrDefault(d.KnowledgeBaseId, "?")),
                    d.Version.ToString(CultureInfo.InvariantCulture), d.ChunkCount.ToString(CultureInfo.InvariantCulture),
                    Units.Bytes(d.SizeBytes), d.UpdatedAt.ToString("u", CultureInfo.InvariantCulture));
            }
            AnsiConsole.Write(table);
            Console.WriteLine($"{page.Items.Count} of {page.Total} documents.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(Option<bool> json)
    {
        var id = new Argument<string>("id") { Description = "Document id (see 'quarry docs list')." };
        var command = new Command("show", "Show a document's metadata, versions and chunks.") { id };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var services = CliContext.BuildServices(result);
            var store = services.GetRequiredService<IDocumentStore>();
            var tenant = CliContext.ResolveTenant(result);
            var documentId = new DocumentId(result.GetValue(id)!);
            var document = await store.GetDocumentAsync(tenant, documentId, cancellationToken);
            if (document is null)
            {
                await Console.Error.WriteLineAsync($"No document with id '{documentId}'.");
                return ExitCodes.PartialFailure;
            }
            var versions = await store.GetVersionsAsync(tenant, documentId, cancellationToken);
            var chunks = await store.GetChunksAsync(tenant, documentId, cancellationToken);
            var kbNames = (await store.ListKnowledgeBasesAsync(tenant, cancellationToken)).ToDictionary(k => k.Id, k => k.Name);
            if (result.GetValue(json))
            {
                Json.Write(Console.Out, new
                {
                    document = DocumentJson(document, kbNames),
                    versions = versions.Select(v => new { version = v.Version, checksum = v.Checksum, sizeBytes = v.SizeBytes, chunks = v.ChunkCount, createdAt = v.CreatedAt }),
                    chunks = chunks.Select(c => new
                    {
                        id = c.Id.Value,
                        ordinal = c.Ordinal,
                        section = c.Section,
                        tokens = c.TokenCount,
                        start = c.Span.Start,
                        end = c.Span.End,
                        pageStart = c.PageStart,
                        pageEnd = c.PageEnd,
                        text = c.Text,
                    }),
                });
                return ExitCodes.Ok;
            }
            var grid = new Grid().AddColumn().AddColumn();
            grid.AddRow("[bold]Id[/]", document.Id.Value);
            grid.AddRow("[bold]Title[/]", Markup.Escape(document.Title));
            grid.AddRow("[bold]Knowledge base[/]", Markup.Escape(kbNames.GetValueOrDefault(document.KnowledgeBaseId, "?")));
            grid.AddRow("[bold]Source[/]", Markup.Escape(document.SourceUri));
            grid.AddRow("[bold]Type[/]", Markup.Escape(document.ContentType));
            grid.AddRow("[bold]Size[/]", Units.Bytes(document.SizeBytes));
            grid.AddRow("[bold]Version[/]", $"{document.Version} ({versions.Count} known)");
            grid.AddRow("[bold]Checksum[/]", document.Checksum);
            grid.AddRow("[bold]Tags[/]", Markup.Escape(string.Join(", ", document.Tags.Select(t => $"{t.Key}={t.Value}"))));
            grid.AddRow("[bold]Updated[/]", document.UpdatedAt.ToString("u", CultureInfo.InvariantCulture));
            AnsiConsole.Write(grid);
            var table = new Table().AddColumns("#", "Tokens", "Section", "Span", "Text");
            foreach (var c in chunks)
            {
                table.AddRow(c.Ordinal.ToString(CultureInfo.InvariantCulture), c.TokenCount.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(Truncate(c.SectionPath, 40)), $"{c.Span.Start}–{c.Span.End}", Markup.Escape(Truncate(c.Text.ReplaceLineEndings(" "), 60)));
            }
            AnsiConsole.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete(Option<bool> json)
    {
        var id = new Argument<string>("id");
        var command = new Command("delete", "Delete a document with its chunks and index entries.") { id };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var services = CliContext.BuildServices(result);
            var store = services.GetRequiredService<IDocumentStore>();
            var documentId = new DocumentId(result.GetValue(id)!);
            var deleted = await store.DeleteDocumentAsync(CliContext.ResolveTenant(result), documentId, cancellationToken);
            if (deleted) await CliAudit.RecordAsync(services, CliContext.ResolveTenant(result), Quarry.Audit.AuditKinds.DocumentDeleted, documentId.Value, cancellationToken);
            if (result.GetValue(json)) Json.Write(Console.Out, new { id = documentId.Value, deleted });
            else if (deleted) Console.WriteLine($"Deleted {documentId}.");
            else await Console.Error.WriteLineAsync($"No document with id '{documentId}'.");
            return deleted ? ExitCodes.Ok : ExitCodes.PartialFailure;
        });
        return command;
    }

    private static object DocumentJson(DocumentRecord d, IReadOnlyDictionary<KnowledgeBaseId, string> kbNames) => new
    {
        id = d.Id.Value,
        title = d.Title,
        knowledgeBase = kbNames.GetValueOrDefault(d.KnowledgeBaseId),
        sourceUri = d.SourceUri,
        contentType = d.ContentType,
        sizeBytes = d.SizeBytes,
        checksum = d.Checksum,
        version = d.Version,
        chunks = d.ChunkCount,
        language = d.Language,
        tags = d.Tags,
        createdAt = d.CreatedAt,
        updatedAt = d.UpdatedAt,
    };

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
