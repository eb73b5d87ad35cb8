using System.CommandLine;
using Microsoft.Extensions.Options;
using Quarry.Cli.Commands;
using Quarry.Cli.Hosting;
using Quarry.Server.Hosting;

namespace Quarry.Cli;

internal static class QuarryCli
{
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("Quarry: answers from your documents, with citations you can check.")
        {
            CliContext.Data,
            CliContext.Tenant,
            CliContext.Verbose,
            LocalModelCli.ModelPath,
        };
        root.Subcommands.Add(IngestCommand.Create());
        root.Subcommands.Add(SearchCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(EvalFollowUpsCommand.Create());
        root.Subcommands.Add(AskCommand.Create());
        root.Subcommands.Add(EvalAnswersCommand.Create());
        root.Subcommands.Add(DocsCommand.Create());
        root.Subcommands.Add(KnowledgeBaseCommand.Create());
        root.Subcommands.Add(ReindexCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(McpCommand.Create());
        root.Subcommands.Add(KeysCommand.Create());
        root.Subcommands.Add(AuditCommand.Create());
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(MigrateCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var verbose = false;
        try
        {
            var parsed = BuildRoot().Parse(args);
            verbose = parsed.GetValue(CliContext.Verbose);
            using var timings = verbose ? new StageTimings() : null;
            // Commands that embed or rerank download a configured model on first use, before they start.
            if (parsed.Errors.Count == 0 && parsed.CommandResult.Command.Name is "search" or "eval" or "ingest")
                await LocalModelCli.PrepareAsync(parsed, CliContext.LoadConfiguration(), CancellationToken.None);
            var exitCode = await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
            if (timings is not null)
            {
                await Console.Error.WriteLineAsync("stage timings (summed over workers):");
                timings.WriteTo(Console.Error);
            }
            return exitCode;
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync($"Invalid configuration: {string.Join("; ", ex.Failures)}");
            return ExitCodes.Usage;
        }
        catch (System.Data.Common.DbException ex) when (ex.IsTransient)
        {
            var where = StorageConfiguration.Describe(CliContext.LoadConfiguration(), QuarryEngine.ResolveDataDirectory(null));
            await Console.Error.WriteLineAsync(
                $"error: cannot reach the database, {where} ({ex.Message}); check Storage:Postgres:ConnectionString and that the server is running.");
            if (verbose) await Console.Error.WriteLineAsync(ex.ToString());
            return ExitCodes.StoreUnavailable;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("Cancelled.");
            return ExitCodes.Cancelled;
        }
        catch (Exception ex)
        {
            // A user sees a sentence, not a stack trace; --verbose shows the trace.
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            if (verbose) await Console.Error.WriteLineAsync(ex.ToString());
            return ExitCodes.Error;
        }
    }
}
