namespace Quarry.Server.Tests.Deploy;

/// <summary>A fact skipped, with the reason shown, when a command-line tool it drives is not on PATH.</summary>
internal sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(string tool, string install)
    {
        if (DeployFiles.Tool(tool) is null) Skip = $"{tool} is not on PATH ({install}); the deploy files are not checked.";
    }
}
