using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Quarry.Models.Local.Hub;

/// <summary>
/// Downloads a model folder from a Hugging Face hub (<c>{endpoint}/{repo}/resolve/{revision}/{file}</c>) into the
/// <see cref="ModelCache"/>: only the files a local model needs, each resumable (an interrupted file is kept as
/// <c>.incomplete</c> and continued with a Range request) and verified against the hub's metadata (sha256 for Git LFS
/// files, the git blob sha1 for the rest) before it takes its final name. The manifest is written last.
/// </summary>
public sealed class HuggingFaceDownloader : IDisposable
{
    /// <summary>Files every model needs; the download fails without them.</summary>
    internal static readonly string[] RequiredFiles = ["config.json", "model.safetensors"];

    /// <summary>Tokenizer and sentence-transformers files, fetched when the repository has them.</summary>
    internal static readonly string[] OptionalFiles =
    [
        "tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json",
        "modules.json", "sentence_bert_config.json", "config_sentence_transformers.json",
    ];

    private const int BufferSize = 1 << 20;
    private const int MaxRedirects = 5;

    private readonly HttpClient _http;
    private readonly bool _ownsClient;
    private readonly ModelHubOptions _options;
    private readonly ILogger _logger;
    private readonly Uri _endpoint;

    public HuggingFaceDownloader(ModelHubOptions options, ModelCache cache, ILogger<HuggingFaceDownloader>? logger = null)
        : this(options, cache, CreateClient(), ownsClient: true, logger)
    {
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The client owns the handler (disposeHandler: true).")]
    private static HttpClient CreateClient()
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None };
        try
        {
            return new HttpClient(handler, disposeHandler: true);
        }
        catch
        {
            handler.Dispose();
            throw;
        }
    }

    /// <param name="http">A client that does not follow redirects itself: the hub's metadata is on the redirect.</param>
    internal HuggingFaceDownloader(ModelHubOptions options, ModelCache cache, HttpClient http, bool ownsClient, ILogger<HuggingFaceDownloader>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        Cache = cache;
        _http = http;
        _http.Timeout = Timeout.InfiniteTimeSpan;
        _ownsClient = ownsClient;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        var endpoint = options.Endpoint ?? throw new ArgumentException("Models:Hub:Endpoint is not set.", nameof(options));
        _endpoint = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
    }

    public ModelCache Cache { get; }

    /// <summary>Downloads (or completes, or re-verifies) <paramref name="model"/> and returns its manifest.</summary>
    /// <exception cref="ModelDownloadException">The hub is unreachable, refuses the repository, lacks a required file,
    /// or a file fails verification.</exception>
    public async Task<ModelManifest> PullAsync(ModelReference model, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.IsLocal) throw new ArgumentException($"{model.Name} is a local folder; there is nothing to download.", nameof(model));
        var folder = Cache.FolderOf(model);
        Directory.CreateDirectory(folder);
        // A previous complete download is re-verified file by file; until that finishes the model counts as incomplete.
        File.Delete(Path.Combine(folder, ModelCache.ManifestFile));

        var files = new List<ManifestFile>();
        string? commit = null;
        var queue = new Queue<(string Path, bool Required)>(RequiredFiles.Select(f => (f, true)).Concat(OptionalFiles.Select(f => (f, false))));
        while (queue.Count > 0)
        {
            var (path, required) = queue.Dequeue();
            var metadata = await HeadAsync(model, path, cancellationToken);
            if (metadata is null)
            {
                if (required)
                    throw new ModelDownloadException($"{model.Name} has no {path} at {_endpoint}: Quarry runs models published with {string.Join(" and ", RequiredFiles)}.");
                continue;
            }
            commit ??= metadata.Commit;
            files.Add(await DownloadAsync(metadata, Path.Combine(folder, path), progress, cancellationToken));
            if (path == "modules.json")
            {
                foreach (var extra in ModuleConfigFiles(Path.Combine(folder, path))) queue.Enqueue((extra, false));
            }
        }
        if (!files.Any(f => f.Path is "tokenizer.json" or "vocab.txt"))
            throw new ModelDownloadException($"{model.Name} has neither tokenizer.json nor vocab.txt: its tokenizer cannot be loaded.");

        var manifest = new ModelManifest(model.Repository!, model.Revision, commit, files) { Folder = folder };
        await File.WriteAllTextAsync(Path.Combine(folder, ModelCache.ManifestFile), JsonSerializer.Serialize(manifest, ModelManifest.JsonOptions), cancellationToken);
        HubLog.Pulled(_logger, model.Name, commit ?? "?", files.Count, manifest.TotalBytes, folder);
        return manifest;
    }

    public void Dispose()
    {
        if (_ownsClient) _http.Dispose();
    }

    internal Uri FileUri(ModelReference model, string path) =>
        new(_endpoint, $"{model.Repository}/resolve/{Uri.EscapeDataString(model.Revision)}/{path}");

    /// <summary>The sub-module configs named by modules.json (e.g. 1_Pooling/config.json).</summary>
    private static IEnumerable<string> ModuleConfigFiles(string modulesJson)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(modulesJson));
        foreach (var module in json.RootElement.EnumerateArray())
        {
            if (module.TryGetProperty("path", out var p) && p.GetString() is { Length: > 0 } path
                && !path.Contains("..", StringComparison.Ordinal) && !Path.IsPathRooted(path)
                && module.TryGetProperty("type", out var type) && type.GetString()?.EndsWith("Pooling", StringComparison.Ordinal) == true)
                yield return path.TrimEnd('/') + "/config.json";
        }
    }

    private async Task<HubFileMetadata?> HeadAsync(ModelReference model, string path, CancellationToken cancellationToken)
    {
        var uri = FileUri(model, path);
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            using var response = await SendAsync(HttpMethod.Head, uri, null, model, cancellationToken);
            var status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.NotFound) return null;
            ThrowIfRefused(model, response);
            if (status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                // The hub's own (relative) redirects, e.g. a renamed repository, are followed; a redirect to the
                // storage host carries the file's metadata and is where the download goes.
                var next = new Uri(uri, location);
                if (!response.Headers.Contains("X-Linked-Etag") && next.Host == uri.Host && !location.IsAbsoluteUri)
                {
                    uri = next;
                    continue;
                }
                return HubFileMetadata.From(path, response, uri);
            }
            if (response.IsSuccessStatusCode) return HubFileMetadata.From(path, response, uri);
            throw new ModelDownloadException($"{_endpoint} answered {status} {response.ReasonPhrase} for {model.Name}/{path}.");
        }
        throw new ModelDownloadException($"{_endpoint} redirected {model.Name}/{path} more than {MaxRedirects} times.");
    }

    private async Task<ManifestFile> DownloadAsync(HubFileMetadata metadata, string destination, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        if (File.Exists(destination) && await VerifiesAsync(destination, metadata, cancellationToken))
        {
            progress?.Report(new DownloadProgress(metadata.Path, new FileInfo(destination).Length, metadata.Size, Resumed: false, Done: true));
            return Entry(metadata, new FileInfo(destination).Length);
        }
        var partial = destination + ".incomplete";
        var existing = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (metadata.Size is { } expectedSize && existing > expectedSize) existing = 0;

        using var hash = NewHash();
        if (existing > 0) await HashExistingAsync(partial, existing, hash, cancellationToken);

        var uri = metadata.Location;
        HttpResponseMessage? response = null;
        try
        {
            for (var hop = 0; ; hop++)
            {
                response = await SendAsync(HttpMethod.Get, uri, existing > 0 ? new RangeHeaderValue(existing, null) : null, null, cancellationToken);
                if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location && hop < MaxRedirects)
                {
                    uri = new Uri(uri, location);
                    response.Dispose();
                    continue;
                }
                break;
            }
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && existing > 0 && existing == metadata.Size)
            {
                // The partial file is already whole (the connection dropped after the last byte).
            }
            else if (!response.IsSuccessStatusCode)
            {
                throw new ModelDownloadException($"Downloading {metadata.Path} failed: {(int)response.StatusCode} {response.ReasonPhrase} from {uri.Host}.");
            }
            else
            {
                if (existing > 0 && (response.StatusCode != HttpStatusCode.PartialContent || response.Content.Headers.ContentRange?.From != existing))
                {
                    // The server ignored the Range request: start over rather than append a second copy.
                    existing = 0;
                    hash.Dispose();
                    using var restart = NewHash();
                    return await WriteAsync(metadata, response, partial, destination, 0, restart, progress, cancellationToken);
                }
                return await WriteAsync(metadata, response, partial, destination, existing, hash, progress, cancellationToken);
            }
            return Finish(metadata, partial, destination, existing, hash);
        }
        finally
        {
            response?.Dispose();
        }
    }

    private async Task<ManifestFile> WriteAsync(HubFileMetadata metadata, HttpResponseMessage response, string partial, string destination,
        long existing, IncrementalHash hash, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var resumed = existing > 0;
        var written = existing;
        var total = metadata.Size ?? (response.Content.Headers.ContentLength is { } length ? existing + length : null);
        var buffer = new byte[BufferSize];
        try
        {
            await using (var file = new FileStream(partial, existing > 0 ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
            {
                var reported = 0L;
                progress?.Report(new DownloadProgress(metadata.Path, written, total, resumed, Done: false));
                while (true)
                {
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    idle.CancelAfter(_options.Timeout);
                    int read;
                    try
                    {
                        read = await body.ReadAsync(buffer, idle.Token);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new IOException($"no data for {_options.Timeout.TotalSeconds:0} s");
                    }
                    if (read == 0) break;
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    hash.AppendData(buffer, 0, read);
                    written += read;
                    if (written - reported >= BufferSize)
                    {
                        reported = written;
                        progress?.Report(new DownloadProgress(metadata.Path, written, total, resumed, Done: false));
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new ModelDownloadException(
                $"Downloading {metadata.Path} was interrupted after {written:N0} of {(total is { } t ? t.ToString("N0", CultureInfo.InvariantCulture) : "?")} bytes ({e.Message}); run the same command again to resume.", e);
        }
        var entry = Finish(metadata, partial, destination, written, hash);
        progress?.Report(new DownloadProgress(metadata.Path, written, total, resumed, Done: true));
        return entry;
    }

    private static ManifestFile Finish(HubFileMetadata metadata, string partial, string destination, long length, IncrementalHash hash)
    {
        if (metadata.Size is { } size && length != size)
            throw new ModelDownloadException($"Downloading {metadata.Path} stopped at {length:N0} of {size:N0} bytes; run the same command again to resume.");
        var (kind, expected, actual) = metadata.Sha256 is not null || metadata.GitBlobSha1 is null
            ? ("sha256", metadata.Sha256, Convert.ToHexStringLower(hash.GetHashAndReset()))
            : ("git blob sha1", metadata.GitBlobSha1, GitBlobSha1(partial));
        if (expected is not null && actual != expected)
        {
            File.Delete(partial);
            throw new ModelDownloadException($"{metadata.Path} is corrupt: its {kind} is {actual} but the hub lists {expected}. The download was discarded; run the command again.");
        }
        File.Move(partial, destination, overwrite: true);
        return Entry(metadata, length);
    }

    private static ManifestFile Entry(HubFileMetadata metadata, long length) => new(metadata.Path, length, metadata.Sha256, metadata.GitBlobSha1);

    /// <summary>Git's name for a regular file, sha1("blob {size}\0" + content): what the hub's ETag is for files not
    /// in LFS. Those are small (configs, tokenizers), so they are hashed once complete, when the size is known.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "Git names blobs by sha1; this checks integrity against the hub's ETag.")]
    private static string GitBlobSha1(string path)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        using var file = File.OpenRead(path);
        hash.AppendData(Encoding.ASCII.GetBytes($"blob {file.Length.ToString(CultureInfo.InvariantCulture)}\0"));
        var buffer = new byte[BufferSize];
        int read;
        while ((read = file.Read(buffer)) > 0) hash.AppendData(buffer, 0, read);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>sha256 of the content, computed as it streams in (and over a resumed file's first part).</summary>
    private static IncrementalHash NewHash() => IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    private static async Task HashExistingAsync(string path, long length, IncrementalHash hash, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferSize];
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
        var remaining = length;
        while (remaining > 0)
        {
            var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken);
            if (read == 0) break;
            hash.AppendData(buffer, 0, read);
            remaining -= read;
        }
    }

    private static async Task<bool> VerifiesAsync(string path, HubFileMetadata metadata, CancellationToken cancellationToken)
    {
        var length = new FileInfo(path).Length;
        if (metadata.Size is { } size && size != length) return false;
        if (metadata.Sha256 is { } sha256)
        {
            using var hash = NewHash();
            await HashExistingAsync(path, length, hash, cancellationToken);
            return Convert.ToHexStringLower(hash.GetHashAndReset()) == sha256;
        }
        return metadata.GitBlobSha1 is { } sha1 && GitBlobSha1(path) == sha1;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, RangeHeaderValue? range, ModelReference? model, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.UserAgent.ParseAdd("quarry/1.0");
        // The token goes to the hub only, never to the storage server a redirect points at.
        var token = string.IsNullOrWhiteSpace(_options.Token) ? Environment.GetEnvironmentVariable("HF_TOKEN") : _options.Token;
        if (!string.IsNullOrWhiteSpace(token) && uri.Scheme == _endpoint.Scheme && uri.Authority == _endpoint.Authority) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (range is not null) request.Headers.Range = range;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ModelDownloadException($"{uri.Host} did not answer within {_options.Timeout.TotalSeconds:0} s{(model is null ? "" : $" for {model.Name}")}.", e, offline: true);
        }
        catch (HttpRequestException e)
        {
            throw new ModelDownloadException($"Cannot reach {uri.Scheme}://{uri.Authority} ({e.Message}).", e, offline: true);
        }
    }

    private void ThrowIfRefused(ModelReference model, HttpResponseMessage response)
    {
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw new ModelDownloadException(
                $"{_endpoint} refused {model.Name} ({(int)response.StatusCode}): the repository does not exist, or it is private or gated and needs an access token " +
                "(QUARRY_Models__Hub__Token or HF_TOKEN).");
    }
}

/// <param name="Total">Bytes of the whole file, when the hub says.</param>
/// <param name="Resumed">The download continues a partial file from an earlier attempt.</param>
public sealed record DownloadProgress(string File, long Downloaded, long? Total, bool Resumed, bool Done);

/// <summary>A model could not be downloaded; <see cref="Offline"/> when the hub could not be reached at all.</summary>
public sealed class ModelDownloadException(string message, Exception? inner = null, bool offline = false) : Exception(message, inner)
{
    public bool Offline { get; } = offline;
}
