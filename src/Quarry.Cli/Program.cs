using Quarry.Cli;

// Piped output is not wrapped at 80 columns: tables stay one row per line for grep and less.
if (Console.IsOutputRedirected)
{
    Spectre.Console.AnsiConsole.Profile.Width = 240;
    Spectre.Console.AnsiConsole.Profile.Capabilities.Ansi = false;
}
return await QuarryCli.RunAsync(args);
