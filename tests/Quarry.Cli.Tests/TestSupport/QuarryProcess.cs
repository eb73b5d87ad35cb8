using System.Diagnostics;
using System.Text.Json;

namespace Quarry.Cli.Tests.TestSupport;

/// <summary>Runs the real `quarry` executable (built next to the tests) as a child process, as a user would.</summary>
internal sealed class QuarryProcess : IDisposable
{
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);

    public QuarryProcess()
    {
        DataDirectory = Directory.CreateTempSubdirectory("quarry-cli-data-").FullName;
        WorkDirectory = Directory.CreateTempSubdirectory("quarry-cli-work-").FullName;
    }

    public string DataDirectory { get; }
    public string WorkDirectory { get; }

    public QuarryProcess WithEnvironment(string name, string value)
    {
        _environment[name] = value;
        return this;
    }

    public async Task<CliResult> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = WorkDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "quarry.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.ArgumentList.Add("--data");
        start.ArgumentList.Add(DataDirectory);
        foreach (var (name, value) in _environment) start.Environment[name] = value;

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"quarry {string.Join(' ', args)} did not finish.");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    public void Dispose()
    {
        Directory.Delete(DataDirectory, recursive: true);
        Directory.Delete(WorkDirectory, recursive: true);
    }
}

internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(Stdout);
            return document.RootElement.Clone();
        }
    }

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
