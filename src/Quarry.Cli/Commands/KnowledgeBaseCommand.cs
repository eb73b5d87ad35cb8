using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Cli.Hosting;
using Quarry.Cli.Output;
using Quarry.Documents;
using Quarry.Storage;
using Spectre.Console;

namespace Quarry.Cli.Commands;

internal static class KnowledgeBaseCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON.", Recursive = true };
        var command = new Command("kb", "List, create and delete knowledge bases.") { json };
        command.Subcommands.Add(List(json));
        command.Subcommands.Add(CreateKb(json));
        command.Subcommands.Add(Delete(json));
        return command;
    }

    private static Command List(Option<bool> json)
    {
        var command = new Command("list", "List knowledge bases.");
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var services = CliContext.BuildServices(result);
            var store = services.GetRequiredService<IDocumentStore>();
            var items = await store.ListKnowledgeBasesAsync(CliContext.ResolveTenant(result), cancellationToken);
            var filler = services.GetRequiredService<Quarry.Vectorizing.VectorFiller>();
            var vectors = new Dictionary<string, Quarry.Vectorizing.VectorCoverage?>();
            foreach (var k in items) vectors[k.Name] = await filler.GetCoverageAsync(k, cancellationToken);
            if (result.GetValue(json))
            {
                Json.Write(Console.Out, items.Select(k => new
                {
                    id = k.Id.Value,
                    name = k.Name,
                    documents = k.DocumentCount,
                    createdAt = k.CreatedAt,
                    embeddingModel = k.EmbeddingModel?.Id,
                    embeddingDimension = k.EmbeddingModel?.Dimension,
                    embeddingsIncomplete = k.EmbeddingModel is null ? (bool?)null : k.EmbeddingsIncomplete,
                    vectors = vectors[k.Name] is { } v ? new { model = v.Model, embedded = v.Embedded, chunks = v.Chunks } : null,
                    hidden = k.Hidden,
                }));
                return ExitCodes.Ok;
            }
            if (items.Count == 0)
            {
                Console.WriteLine("No knowledge bases yet: 'quarry ingest <path>' creates 'default'.");
                return ExitCodes.Ok;
            }
            var table = new Table().AddColumns("Name", "Documents", "Embedding model", "Vectors", "Created");
            foreach (var k in items)
            {
                var model = k.EmbeddingModel is { } m ? $"{m.Id} ({m.Dimension}){(k.EmbeddingsIncomplete ? ", incomplete" : "")}" : "-";
                var done = vectors[k.Name] is { } v ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{v.Embedded:N0}/{v.Chunks:N0}") : "-";
                table.AddRow(Markup.Escape(k.Name), k.DocumentCount.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(model), done,
                    k.CreatedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture));
            }
            AnsiConsole.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateKb(Option<bool> json)
    {
        var name = new Argument<string>("name") { Description = "Letters, digits, '-', '_' or '.'." };
        var command = new Command("create", "Create a knowledge base.") { name };
        command.SetAction(async (result, cancellationToken) =>
        {
            var kbName = result.GetValue(name)!;
            if (!KnowledgeBaseNames.IsValid(kbName))
            {
                await Console.Error.WriteLineAsync($"'{kbName}' is not a valid knowledge base name: use letters, digits, '-', '_' or '.'.");
                return ExitCodes.Usage;
            }
            await using var services = CliContext.BuildServices(result);
            var store = services.GetRequiredService<IDocumentStore>();
            try
            {
                var kb = await store.CreateKnowledgeBaseAsync(CliContext.ResolveTenant(result), kbName, cancellationToken);
                await CliAudit.RecordAsync(services, kb.TenantId, Quarry.Audit.AuditKinds.KnowledgeBaseCreated, kb.Name, cancellationToken, [kb.Name]);
                if (result.GetValue(json)) Json.Write(Console.Out, new { id = kb.Id.Value, name = kb.Name, createdAt = kb.CreatedAt });
                else Console.WriteLine($"Created knowledge base '{kb.Name}'.");
                return ExitCodes.Ok;
            }
            catch (StoreConflictException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return ExitCodes.PartialFailure;
            }
        });
        return command;
    }

    private static Command Delete(Option<bool> json)
    {
        var name = new Argument<string>("name");
        var yes = new Option<bool>("--yes", "-y") { Description = "Delete even when it holds documents." };
        var command = new Command("delete", "Delete a knowledge base with all its documents.") { name, yes };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var services = CliContext.BuildServices(result);
            var store = services.GetRequiredService<IDocumentStore>();
            var tenant = CliContext.ResolveTenant(result);
            var kbName = result.GetValue(name)!;
            var kb = await store.FindKnowledgeBaseAsync(tenant, kbName, cancellationToken);
            if (kb is null)
            {
                await Console.Error.WriteLineAsync($"No knowledge base named '{kbName}'.");
                return ExitCodes.PartialFailure;
            }
            if (kb.DocumentCount > 0 && !result.GetValue(yes))
            {
                await Console.Error.WriteLineAsync($"'{kbName}' holds {kb.DocumentCount} documents; pass --yes to delete it with them.");
                return ExitCodes.Usage;
            }
            var deleted = await store.DeleteKnowledgeBaseAsync(tenant, kb.Id, cancellationToken);
            if (deleted) await CliAudit.RecordAsync(services, tenant, Quarry.Audit.AuditKinds.KnowledgeBaseDeleted, kbName, cancellationToken, [kbName]);
            if (result.GetValue(json)) Json.Write(Console.Out, new { name = kbName, deleted, documents = kb.DocumentCount });
            else Console.WriteLine($"Deleted knowledge base '{kbName}' ({kb.DocumentCount} documents).");
            return ExitCodes.Ok;
        });
        return command;
    }
}
