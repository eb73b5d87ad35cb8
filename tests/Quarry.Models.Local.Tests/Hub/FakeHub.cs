using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Quarry.Models.Local.Tests.Hub;

/// <summary>
/// A loopback Hugging Face hub serving model folders with the hub's URL layout and headers: <c>HEAD/GET
/// /{repo}/resolve/{revision}/{path}</c>; Git LFS files (*.safetensors) answer 302 to a storage URL with
/// <c>X-Linked-Etag</c> (sha256), <c>X-Linked-Size</c> and <c>X-Repo-Commit</c>; regular files answer 200 with an
/// <c>ETag</c> that is their git blob sha1; missing files 404 with <c>X-Error-Code: EntryNotFound</c>. Storage
/// honours <c>Range: bytes=N-</c>. Files can be served corrupted or cut off after a number of bytes.
/// </summary>
public sealed class FakeHub : IAsyncDisposable
{
    public const string Commit = "0123456789abcdef0123456789abcdef01234567";

    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, Dictionary<string, byte[]>> _repos = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _log = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    public FakeHub()
    {
        Endpoint = new Uri($"http://127.0.0.1:{FreePort()}/");
        // Storage answers on a port of its own, as the real hub's files live on another host.
        Storage = new Uri($"http://127.0.0.1:{FreePort()}/storage/");
        _listener.Prefixes.Add(Endpoint.ToString());
        _listener.Prefixes.Add(new Uri(Storage, "/").ToString());
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public Uri Endpoint { get; }

    public Uri Storage { get; }

    /// <summary>Requests as "METHOD path [Range] [auth]".</summary>
    public IReadOnlyList<string> Requests => [.. _log];

    /// <summary>Storage serves these paths with one byte flipped (the metadata still names the true hash).</summary>
    public HashSet<string> Corrupt { get; } = new(StringComparer.Ordinal);

    /// <summary>The next storage download of a path stops after this many bytes (then the limit is removed).</summary>
    public ConcurrentDictionary<string, long> CutOffAfter { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, every hub request must carry this bearer token (401 otherwise).</summary>
    public string? RequiredToken { get; set; }

    /// <summary>An X-Linked-Etag to announce instead of the real sha256 (e.g. another file's).</summary>
    public string? AnnouncedSha256 { get; set; }

    public void AddRepository(string repo, string folder)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(folder, file).Replace('\\', '/');
            if (relative == "expected.json") continue;
            files[relative] = File.ReadAllBytes(file);
        }
        _repos[repo] = files;
    }

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "Git names blobs by sha1; this is an identity, not security.")]
    public static string GitBlobSha1(byte[] data)
    {
        var header = Encoding.ASCII.GetBytes($"blob {data.Length.ToString(CultureInfo.InvariantCulture)}\0");
        return Convert.ToHexStringLower(SHA1.HashData([.. header, .. data]));
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var path = Uri.UnescapeDataString(request.Url!.AbsolutePath);
        _log.Enqueue($"{request.HttpMethod} {path}{(request.Headers["Range"] is { } r ? " " + r : "")}{(request.Headers["Authorization"] is { } a ? " " + a : "")}");
        try
        {
            if (path.StartsWith("/storage/", StringComparison.Ordinal))
            {
                await ServeStorageAsync(path["/storage/".Length..], request, response);
                return;
            }
            if (RequiredToken is not null && request.Headers["Authorization"] != "Bearer " + RequiredToken)
            {
                response.StatusCode = 401;
                response.Headers["X-Error-Code"] = "GatedRepo";
                response.Close();
                return;
            }
            var marker = path.IndexOf("/resolve/", StringComparison.Ordinal);
            var repo = marker > 0 ? path[1..marker] : "";
            var rest = marker > 0 ? path[(marker + "/resolve/".Length)..] : "";
            var slash = rest.IndexOf('/');
            var file = slash > 0 ? rest[(slash + 1)..] : "";
            if (!_repos.TryGetValue(repo, out var files) || !files.TryGetValue(file, out var data))
            {
                response.StatusCode = 404;
                response.Headers["X-Error-Code"] = "EntryNotFound";
                response.Close();
                return;
            }
            response.Headers["X-Repo-Commit"] = Commit;
            if (file.EndsWith(".safetensors", StringComparison.Ordinal))
            {
                var sha = AnnouncedSha256 ?? Sha256(data);
                response.StatusCode = 302;
                response.Headers["Location"] = new Uri(Storage, $"{repo}/{file}").ToString();
                response.Headers["X-Linked-Etag"] = $"\"{sha}\"";
                response.Headers["X-Linked-Size"] = data.Length.ToString(CultureInfo.InvariantCulture);
                response.Headers["ETag"] = $"\"{sha}\"";
                response.Close();
                return;
            }
            response.StatusCode = 200;
            response.Headers["ETag"] = $"W/\"{GitBlobSha1(data)}\"";
            if (Corrupt.Contains(file))
            {
                data = [.. data];
                data[data.Length / 2] ^= 0xFF;
            }
            response.ContentLength64 = data.Length;
            if (request.HttpMethod == "GET") await response.OutputStream.WriteAsync(data);
            response.Close();
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
        }
        catch (HttpListenerException)
        {
            // The client went away (e.g. a test cancelled a download).
        }
    }

    private async Task ServeStorageAsync(string key, HttpListenerRequest request, HttpListenerResponse response)
    {
        var slash = key.LastIndexOf("/model", StringComparison.Ordinal);
        var repo = key[..slash];
        var file = key[(slash + 1)..];
        var data = _repos[repo][file];
        if (Corrupt.Contains(file))
        {
            data = [.. data];
            data[data.Length / 2] ^= 0xFF;
        }
        long from = 0;
        if (request.Headers["Range"] is { } range && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
        {
            from = long.Parse(range["bytes=".Length..^1], CultureInfo.InvariantCulture);
            if (from >= data.Length)
            {
                response.StatusCode = 416;
                response.Headers["Content-Range"] = $"bytes */{data.Length}";
                response.Close();
                return;
            }
            response.StatusCode = 206;
            response.Headers["Content-Range"] = $"bytes {from}-{data.Length - 1}/{data.Length}";
        }
        response.ContentLength64 = data.Length - from;
        if (CutOffAfter.TryRemove(file, out var cut))
        {
            await response.OutputStream.WriteAsync(data.AsMemory((int)from, (int)Math.Min(cut, data.Length - from)));
            await response.OutputStream.FlushAsync();
            response.Abort();
            return;
        }
        await response.OutputStream.WriteAsync(data.AsMemory((int)from));
        response.Close();
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (ObjectDisposedException)
        {
        }
        _stopping.Dispose();
    }
}
