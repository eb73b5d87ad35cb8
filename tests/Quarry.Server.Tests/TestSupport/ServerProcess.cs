using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Quarry.Server.Tests.TestSupport;

/// <summary>
/// The real server as a child process (<c>quarry serve</c> on a free loopback port, or the server executable
/// itself), over a data directory that outlives restarts and kills. Output is kept for failure messages.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);
    private readonly StringBuilder _output = new();
    private Process? _process;

    public ServerProcess(string? dataDirectory = null)
    {
        DataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("quarry-server-data-").FullName;
    }

    public string DataDirectory { get; }
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");
    public bool UseServerExecutable { get; init; }

    /// <summary>Runs this <c>quarry.dll</c> (e.g. the image's published output) instead of the test's own build.</summary>
    public string? CliAssembly { get; init; }

    /// <summary>A command the server runs under, e.g. <c>setpriv --reuid=nobody …</c> (it must exec, keeping the pid).</summary>
    public IReadOnlyList<string> RunAs { get; init; } = [];

    /// <summary>The running process's id (its workers' lease owners start with <c>machine:pid:</c>).</summary>
    public int? ProcessId => _process?.Id;
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public ServerProcess With(string name, string value)
    {
        _environment[name] = value;
        return this;
    }

    public async Task StartAsync(params string[] extraArgs)
    {
        var start = new ProcessStartInfo(RunAs.Count > 0 ? RunAs[0] : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = DataDirectory,
        };
        if (RunAs.Count > 0)
        {
            foreach (var arg in RunAs.Skip(1)) start.ArgumentList.Add(arg);
            start.ArgumentList.Add("dotnet");
        }
        if (CliAssembly is not null)
        {
            start.ArgumentList.Add(CliAssembly);
            start.ArgumentList.Add("serve");
        }
        else if (UseServerExecutable)
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Quarry.Server.dll"));
        }
        else
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "quarry.dll"));
            start.ArgumentList.Add("serve");
        }
        foreach (var arg in new[] { "--urls", "http://127.0.0.1:0", "--data", DataDirectory }.Concat(extraArgs)) start.ArgumentList.Add(arg);
        // Tests must not inherit a developer's QUARRY_* settings.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("QUARRY_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(key);
        start.Environment["QUARRY_Server__Workers__PollInterval"] = "00:00:00.200";
        foreach (var (name, value) in _environment) start.Environment[name] = value;

        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            Append(e.Data);
            if (ListeningLine().Match(e.Data) is { Success: true } m) listening.TrySetResult(new Uri(m.Groups[1].Value + "/"));
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Append(e.Data); };
        _process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The server exited before listening:\n" + Output));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        BaseAddress = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private void Append(string line)
    {
        lock (_output) _output.AppendLine(line);
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, as a crash or an OOM kill would do.</summary>
    public async Task KillAsync()
    {
        if (_process is null) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    /// <summary>SIGTERM, as Kubernetes and <c>docker stop</c> send; waits for the exit and returns its code.</summary>
    public async Task<int> TerminateAsync(TimeSpan wait)
    {
        if (_process is null) throw new InvalidOperationException("The server is not running.");
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The server did not exit within {wait.TotalSeconds} s of SIGTERM:\n" + Output);
        }
        var code = _process.ExitCode;
        _process.Dispose();
        _process = null;
        return code;
    }

    public HttpClient Client(string? key = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Creates a key with the real CLI against this server's data directory, as an operator would.</summary>
    public async Task<string> CreateKeyAsync(string tenant, string role)
    {
        var result = await CliProcess.RunAsync(DataDirectory, "keys", "create", "--tenant", tenant, "--role", role, "--json");
        result.ExitCode.Should().Be(0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        return json.RootElement.GetProperty("key").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [GeneratedRegex(@"Quarry is listening on (http://[^\s,]+)")]
    private static partial Regex ListeningLine();
}

/// <summary>Runs the real `quarry` CLI.</summary>
internal static class CliProcess
{
    public static Task<CliResult> RunAsync(string dataDirectory, params string[] args) =>
        RunAsync(dataDirectory, new Dictionary<string, string>(), args);

    public static async Task<CliResult> RunAsync(string dataDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "quarry.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.ArgumentList.Add("--data");
        start.ArgumentList.Add(dataDirectory);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}

internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
