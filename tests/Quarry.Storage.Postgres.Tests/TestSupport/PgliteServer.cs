using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Quarry.Storage.Postgres.Tests.TestSupport;

/// <summary>
/// A PostgreSQL with pgvector for the vector tests, one per test process: the server named by <c>QUARRY_TEST_PGVECTOR</c>
/// (an Npgsql connection string), or else PGlite (PostgreSQL 18 compiled to WebAssembly, with pgvector) served over the
/// wire protocol by <c>pglite-server</c> from <c>pglite/</c> beside this project (<c>npm ci</c> there on first use; Node.js needed), on a
/// free loopback port and killed when the process exits. PGlite is one in-memory database with a single backend whose
/// session every connection shares (statements of two connections interleave within each other's transactions): each
/// data source gets one connection (its users queue in the pool), tests using it run one after another, and they keep
/// apart by tenant and model ids rather than by database. Several connections may be open, for several data sources
/// used in turn.
/// </summary>
public static class PgliteServer
{
    public const string EnvironmentVariable = "QUARRY_TEST_PGVECTOR";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private static readonly Lazy<Task<string>> Connection = new(StartAsync);

    /// <summary>The connection string of the server, started on first call.</summary>
    public static Task<string> ConnectionStringAsync() => Connection.Value;

    private static async Task<string> StartAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
            return configured;

        var directory = FindPackageDirectory();
        if (!File.Exists(Path.Combine(directory, "node_modules", ".bin", "pglite-server")))
            await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], directory);

        var port = FreePort();
        // serve.mjs runs pglite-server and exits when its stdin (held by this process, never written) closes.
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "serve.mjs", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-m", "8", "-e", "@electric-sql/pglite-pgvector:vector" })
            info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start node (Node.js runs PGlite).");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Kill(process);

        var output = new StringBuilder();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(object? _, DataReceivedEventArgs e)
        {
            if (e.Data is null)
                return;
            lock (output)
                output.AppendLine(e.Data);
            if (e.Data.Contains("listening", StringComparison.OrdinalIgnoreCase))
                listening.TrySetResult();
        }
        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(listening.Task, exited, Task.Delay(StartTimeout));
        if (first != listening.Task)
        {
            Kill(process);
            lock (output)
                throw new InvalidOperationException($"pglite-server did not start ({(first == exited ? "exited" : "timed out")}): {output}");
        }
        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "postgres",
            Database = "postgres",
            SslMode = SslMode.Disable,
            MaxPoolSize = 1,
            // Queries run in WebAssembly, one at a time for every connection: leave room for an HNSW build.
            Timeout = 300,
            CommandTimeout = 600,
        }.ConnectionString;
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }

    private static string FindPackageDirectory()
    {
        // Test binaries run from artifacts/bin/…; the package.json sits in the source tree beside this project.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Quarry.Storage.Postgres.Tests", "pglite");
            if (File.Exists(Path.Combine(candidate, "package.json")))
                return candidate;
        }
        throw new InvalidOperationException("tests/Quarry.Storage.Postgres.Tests/pglite/package.json was not found above " + AppContext.BaseDirectory);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, string directory)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
            info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} in {directory} failed ({process.ExitCode}): {await error}{await output}");
    }
}
