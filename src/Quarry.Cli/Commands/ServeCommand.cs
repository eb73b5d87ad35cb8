using System.CommandLine;
using Quarry.Cli.Hosting;
using Quarry.Server;

namespace Quarry.Cli.Commands;

/// <summary><c>quarry serve</c>: the HTTP API, ingestion workers and web UI in this process (the server project's host).</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = $"Address(es) to listen on, ';'-separated (default {QuarryServer.DefaultUrl})." };
        var dev = new Option<bool>("--dev") { Description = "Development mode: no API keys, every request is an admin of tenant 'default'. Local use only." };
        var role = new Option<string?>("--role") { Description = "api, worker or all (default all)." };
        role.AcceptOnlyFromAmong("api", "worker", "all");
        var command = new Command("serve", "Run the Quarry service: REST API, ingestion workers and web UI.") { urls, dev, role };
        command.SetAction(async (result, cancellationToken) =>
        {
            var args = new List<string> { "--data", CliContext.ResolveDataDirectory(result) };
            if (result.GetValue(urls) is { Length: > 0 } u) args.AddRange(["--urls", u]);
            if (result.GetValue(dev)) args.Add("--dev");
            if (result.GetValue(role) is { } r) args.AddRange(["--role", r]);
            return await QuarryServer.RunAsync([.. args], cancellationToken);
        });
        return command;
    }
}
