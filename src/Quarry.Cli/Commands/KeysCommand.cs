using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Cli.Hosting;
using Quarry.Cli.Output;
using Quarry.Tenancy;
using Spectre.Console;

namespace Quarry.Cli.Commands;

/// <summary><c>quarry keys create|list|revoke</c>: API keys of the HTTP service, written straight to the store.</summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON.", Recursive = true };
        var command = new Command("keys", "Create, list and revoke API keys (--tenant T picks the tenant).") { json };
        command.Subcommands.Add(CreateKey(json));
        command.Subcommands.Add(List(json));
        command.Subcommands.Add(Revoke(json));
        return command;
    }

    private static Command CreateKey(Option<bool> json)
    {
        var role = new Option<string>("--role")
        {
            Description = "reader (search, ask), writer (also ingest, delete), admin (also knowledge bases, keys; sees every document) " +
                "or bypass (a reader that sees every document of the tenant whatever the access lists; audited).",
            Required = true,
        };
        var user = new Option<string?>("--user") { Description = "The user the key acts as for document access lists (matches 'user:<id>' entries)." };
        var group = new Option<string[]>("--group") { Description = "A group the key's user is in (repeatable; matches 'group:<name>' entries)." };
        var name = new Option<string?>("--name") { Description = "A label to recognise the key by." };
        var kb = new Option<string[]>("--kb") { Description = "Limit a reader or writer key to this knowledge base (repeatable; default: all of the tenant's)." };
        var command = new Command("create", "Create an API key and print it once (only its hash is stored).") { role, name, kb, user, group };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!KeyRoles.TryParse(result.GetValue(role), out var roleAndBypass))
            {
                await Console.Error.WriteLineAsync("--role must be reader, writer, admin or bypass.");
                return ExitCodes.Usage;
            }
            var parsed = roleAndBypass.Role;
            var (principal, principalError) = KeyRoles.Principal(roleAndBypass.Bypass, result.GetValue(user), result.GetValue(group));
            if (principal is null)
            {
                await Console.Error.WriteLineAsync(principalError);
                return ExitCodes.Usage;
            }
            IReadOnlyList<string>? knowledgeBases = result.GetValue(kb) is { Length: > 0 } names ? names : null;
            if (ApiKeys.ScopeError(parsed, knowledgeBases) is { } scopeError)
            {
                await Console.Error.WriteLineAsync(scopeError);
                return ExitCodes.Usage;
            }
            await using var services = CliContext.BuildServices(result);
            var (key, hash) = ApiKeys.Generate();
            var record = await services.GetRequiredService<ITenantStore>().CreateApiKeyAsync(
                new NewApiKey(CliContext.ResolveTenant(result), parsed, hash, ApiKeys.DisplayPrefix(key), result.GetValue(name) ?? "", knowledgeBases) { Principal = principal }, cancellationToken);
            await CliAudit.RecordAsync(services, record.Tenant, Quarry.Audit.AuditKinds.KeyCreated, record.Id, cancellationToken);
            if (result.GetValue(json))
            {
                Json.Write(Console.Out, new { key, id = record.Id, tenant = record.Tenant.Value, role = Role(record), name = record.Name, knowledgeBases = record.KnowledgeBases, user = record.Principal.User, groups = record.Principal.Groups });
                return ExitCodes.Ok;
            }
            Console.WriteLine(key);
            await Console.Error.WriteLineAsync($"Created {Role(record)} key {record.Id} for tenant '{record.Tenant}'. It is shown only now: store it safely.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(Option<bool> json)
    {
        var all = new Option<bool>("--all-tenants") { Description = "Keys of every tenant." };
        var command = new Command("list", "List keys (never the keys themselves).") { all };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var services = CliContext.BuildServices(result);
            var keys = await services.GetRequiredService<ITenantStore>().ListApiKeysAsync(
                result.GetValue(all) ? null : CliContext.ResolveTenant(result), cancellationToken);
            if (result.GetValue(json))
            {
                Json.Write(Console.Out, keys.Select(k => new { id = k.Id, tenant = k.Tenant.Value, role = Role(k), name = k.Name, prefix = k.Prefix, knowledgeBases = k.KnowledgeBases, createdAt = k.CreatedAt, revokedAt = k.RevokedAt }));
                return ExitCodes.Ok;
            }
            var table = new Table().AddColumns("Id", "Tenant", "Role", "Knowledge bases", "Name", "Prefix", "Created", "Revoked");
            foreach (var k in keys)
            {
                table.AddRow(k.Id, Markup.Escape(k.Tenant.Value), Role(k), Markup.Escape(k.KnowledgeBases is null ? "all" : string.Join(", ", k.KnowledgeBases)), Markup.Escape(k.Name), Markup.Escape(k.Prefix) + "…",
                    k.CreatedAt.ToString("u", CultureInfo.InvariantCulture), k.RevokedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "");
            }
            AnsiConsole.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Revoke(Option<bool> json)
    {
        var id = new Argument<string>("id") { Description = "Key id (see 'quarry keys list')." };
        var command = new Command("revoke", "Revoke a key: running servers notice within about a second (Auth:KeyVersionPollInterval).") { id };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var services = CliContext.BuildServices(result);
            var revoked = await services.GetRequiredService<ITenantStore>().RevokeApiKeyAsync(CliContext.ResolveTenant(result), result.GetValue(id)!, cancellationToken);
            if (revoked) await CliAudit.RecordAsync(services, CliContext.ResolveTenant(result), Quarry.Audit.AuditKinds.KeyRevoked, result.GetValue(id)!, cancellationToken);
            if (result.GetValue(json)) Json.Write(Console.Out, new { id = result.GetValue(id), revoked });
            else Console.WriteLine(revoked ? "Revoked." : "No such active key in this tenant.");
            return revoked ? ExitCodes.Ok : ExitCodes.PartialFailure;
        });
        return command;
    }

    private static string Role(ApiKeyRecord key) => KeyRoles.Name(key.Role, key.Principal.Bypass);
}
