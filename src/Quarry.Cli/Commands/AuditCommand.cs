using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Audit;
using Quarry.Cli.Hosting;
using Quarry.Cli.Output;
using Quarry.Documents;
using Quarry.Server.Hosting;

namespace Quarry.Cli.Commands;

/// <summary><c>quarry audit verify|export</c>: checks the hash chains of the audit trail and exports records, read
/// straight from the store the server writes.</summary>
internal static class AuditCommand
{
    private const int PageSize = 1000;

    public static Command Create()
    {
        var command = new Command("audit", "Verify and export the audit trail (--tenant T: one tenant; default: every tenant).");
        command.Subcommands.Add(Verify());
        command.Subcommands.Add(Export());
        return command;
    }

    private static Command Verify()
    {
        var command = new Command("verify", "Check every record's hash and link from the retention checkpoint to the chain head; exits 1 at the first broken record.");
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var services = CliContext.BuildServices(result);
            var store = services.GetRequiredService<IAuditStore>();
            var signer = Signer(result);
            var broken = 0;
            foreach (var tenant in await TenantsAsync(result, store, cancellationToken))
            {
                var v = await AuditVerifier.VerifyAsync(store, tenant, signer, cancellationToken);
                if (v.Ok)
                {
                    var note = v.CheckpointVerified ? "" : " (retention checkpoint not checked: no Audit:CheckpointKey or key file)";
                    Console.WriteLine($"tenant '{tenant}': OK, {v.Checked} records{note}");
                    continue;
                }
                broken++;
                var where = v.BrokenId is null ? $"at sequence {v.BrokenSequence}" : $"at record {v.BrokenId} (sequence {v.BrokenSequence})";
                Console.WriteLine($"tenant '{tenant}': BROKEN {where}: {v.Reason}");
            }
            return broken == 0 ? ExitCodes.Ok : ExitCodes.PartialFailure;
        });
        return command;
    }

    private static Command Export()
    {
        var since = new Option<string>("--since") { Description = "Records at or after this ISO 8601 time (e.g. 2026-01-01).", Required = true };
        var until = new Option<string?>("--until") { Description = "Records before this ISO 8601 time." };
        var format = new Option<string>("--format") { Description = "jsonl: one JSON record per line.", DefaultValueFactory = _ => "jsonl" };
        var command = new Command("export", "Write records to stdout in chain order, one JSON object per line.") { since, until, format };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!string.Equals(result.GetValue(format), "jsonl", StringComparison.OrdinalIgnoreCase))
            {
                await Console.Error.WriteLineAsync("--format must be jsonl.");
                return ExitCodes.Usage;
            }
            if (!AuditTime.TryParse(result.GetValue(since), out var from) || !AuditTime.TryParse(result.GetValue(until), out var to) || (to is not null && from > to))
            {
                await Console.Error.WriteLineAsync("--since and --until must be ISO 8601 dates or times, --since not after --until.");
                return ExitCodes.Usage;
            }
            await using var services = CliContext.BuildServices(result);
            var store = services.GetRequiredService<IAuditStore>();
            foreach (var tenant in await TenantsAsync(result, store, cancellationToken))
            {
                for (long after = 0; ;)
                {
                    var page = await store.ReadChainAsync(tenant, after, PageSize, cancellationToken);
                    foreach (var record in page.Where(r => r.Time >= from && (to is null || r.Time < to)))
                        Json.Write(Console.Out, record);
                    if (page.Count < PageSize) break;
                    after = page[^1].Sequence;
                }
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<IReadOnlyList<TenantId>> TenantsAsync(ParseResult result, IAuditStore store, CancellationToken cancellationToken) =>
        result.GetResult(CliContext.Tenant) is { Implicit: false } ? [CliContext.ResolveTenant(result)] : await store.ListTenantsAsync(cancellationToken);

    /// <summary>The key the server signs checkpoints with; null (checkpoints unchecked) when none is configured or kept.</summary>
    private static AuditCheckpointSigner? Signer(ParseResult result)
    {
        var options = new AuditOptions();
        AuditConfiguration.Bind(CliContext.LoadConfiguration(), CliContext.ResolveDataDirectory(result), options);
        if (string.IsNullOrEmpty(options.CheckpointKey) && !File.Exists(options.CheckpointKeyFile)) return null;
        return AuditCheckpointSigner.FromOptions(options);
    }

}
