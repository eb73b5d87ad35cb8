using System.CommandLine;
using Quarry.Cli.Hosting;
using Quarry.Server.Mcp;

namespace Quarry.Cli.Commands;

/// <summary><c>quarry mcp</c>: Quarry's tools (search, ask, list_knowledge_bases, get_document) for a desktop agent over
/// stdio, on this data directory, as the administrator of <c>--tenant</c>.</summary>
internal static class McpCommand
{
    public static Command Create()
    {
        var command = new Command("mcp", "Serve Quarry's MCP tools over stdin/stdout (for desktop agents).");
        command.SetAction(async (result, cancellationToken) =>
            await McpRegistration.RunStdioAsync(CliContext.LoadConfiguration(), CliContext.ResolveDataDirectory(result),
                CliContext.ResolveTenant(result).Value, cancellationToken));
        return command;
    }
}
