using Quarry.Models.Local.Hub;
using Quarry.Models.Local.Loading;
using Quarry.Models.Local.Models;
using Quarry.Models.Local.Tests.TestSupport;

namespace Quarry.Models.Local.Tests.Hub;

public sealed class DownloaderTests : IAsyncLifetime
{
    private const string Repo = "quarry-tests/tiny-bert";
    private readonly FakeHub _hub = new();
    private readonly string _cacheRoot = Path.Combine(Path.GetTempPath(), "quarry-models-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync()
    {
        _hub.AddRepository(Repo, Fixtures.Path("bert-tiny-f32"));
        _hub.AddRepository("quarry-tests/cross-encoder", Fixtures.Path("cross-encoder-tiny-bf16"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        if (Directory.Exists(_cacheRoot)) Directory.Delete(_cacheRoot, recursive: true);
    }

    private HuggingFaceDownloader Downloader(string? token = null, TimeSpan? timeout = null) =>
        new(new ModelHubOptions { Endpoint = _hub.Endpoint, Token = token, Timeout = timeout ?? TimeSpan.FromSeconds(10) }, new ModelCache(_cacheRoot));

    [Fact]
    public async Task Pulls_the_files_a_model_needs_verified_into_the_cache()
    {
        using var downloader = Downloader();
        var progress = new List<DownloadProgress>();

        var manifest = await downloader.PullAsync(ModelReference.Parse(Repo), new SyncProgress(progress), CancellationToken.None);

        manifest.Commit.Should().Be(FakeHub.Commit);
        manifest.Files.Select(f => f.Path).Should().BeEquivalentTo(
            "config.json", "model.safetensors", "tokenizer.json", "modules.json", "sentence_bert_config.json", "1_Pooling/config.json");
        var weights = manifest.Files.Single(f => f.Path == "model.safetensors");
        weights.Sha256.Should().Be(FakeHub.Sha256(File.ReadAllBytes(Fixtures.Path("bert-tiny-f32", "model.safetensors"))));
        manifest.Files.Single(f => f.Path == "config.json").GitBlobSha1.Should().NotBeNull();
        foreach (var file in manifest.Files)
            File.ReadAllBytes(Path.Combine(manifest.Folder, file.Path)).Should().Equal(File.ReadAllBytes(Fixtures.Path("bert-tiny-f32", file.Path)), file.Path);
        progress.Should().Contain(p => p.File == "model.safetensors" && p.Done && p.Downloaded == weights.Size);
        _hub.Requests.Should().Contain(r => r.StartsWith("HEAD /" + Repo + "/resolve/main/model.safetensors", StringComparison.Ordinal));
        _hub.Requests.Should().Contain(r => r.StartsWith("GET /storage/" + Repo + "/model.safetensors", StringComparison.Ordinal));

        // The downloaded folder is a model: it loads and embeds like the fixture it came from.
        var cache = new ModelCache(_cacheRoot);
        var folder = cache.TryResolve(ModelReference.Parse(Repo));
        folder.Should().Be(manifest.Folder);
        BertSentenceEncoder.Load(ModelFolder.Open(folder!), new LocalModelSettings(1)).Embed(["hello"], CancellationToken.None)[0].Should().HaveCount(64);
        cache.List().Should().ContainSingle(m => m.Repository == Repo && m.Revision == "main");
    }

    [Fact]
    public async Task A_corrupted_file_is_refused_and_the_model_stays_unusable()
    {
        _hub.Corrupt.Add("model.safetensors");
        using var downloader = Downloader();

        var pull = () => downloader.PullAsync(ModelReference.Parse(Repo), null, CancellationToken.None);

        (await pull.Should().ThrowAsync<ModelDownloadException>()).WithMessage("*model.safetensors is corrupt*sha256*");
        var folder = new ModelCache(_cacheRoot).FolderOf(ModelReference.Parse(Repo));
        File.Exists(Path.Combine(folder, "model.safetensors")).Should().BeFalse();
        File.Exists(Path.Combine(folder, "model.safetensors.incomplete")).Should().BeFalse("a corrupt download is discarded, not resumed");
        new ModelCache(_cacheRoot).TryResolve(ModelReference.Parse(Repo)).Should().BeNull();
    }

    [Fact]
    public async Task A_corrupted_regular_file_fails_its_git_blob_hash()
    {
        _hub.Corrupt.Add("tokenizer.json");
        using var downloader = Downloader();

        var pull = () => downloader.PullAsync(ModelReference.Parse(Repo), null, CancellationToken.None);

        (await pull.Should().ThrowAsync<ModelDownloadException>()).WithMessage("*tokenizer.json is corrupt: its git blob sha1 is*");
    }

    [Fact]
    public async Task An_interrupted_download_resumes_with_a_range_request()
    {
        var size = new FileInfo(Fixtures.Path("bert-tiny-f32", "model.safetensors")).Length;
        _hub.CutOffAfter["model.safetensors"] = 100_000;
        using var downloader = Downloader();

        var first = () => downloader.PullAsync(ModelReference.Parse(Repo), null, CancellationToken.None);
        (await first.Should().ThrowAsync<ModelDownloadException>()).WithMessage("*interrupted*run the same command again to resume*");
        var partial = Path.Combine(new ModelCache(_cacheRoot).FolderOf(ModelReference.Parse(Repo)), "model.safetensors.incomplete");
        var kept = new FileInfo(partial).Length;
        kept.Should().BeGreaterThan(0).And.BeLessThan(size);

        var progress = new List<DownloadProgress>();
        var manifest = await downloader.PullAsync(ModelReference.Parse(Repo), new SyncProgress(progress), CancellationToken.None);

        _hub.Requests.Should().Contain($"GET /storage/{Repo}/model.safetensors bytes={kept}-");
        progress.Should().Contain(p => p.File == "model.safetensors" && p.Resumed);
        File.ReadAllBytes(Path.Combine(manifest.Folder, "model.safetensors")).Should().Equal(File.ReadAllBytes(Fixtures.Path("bert-tiny-f32", "model.safetensors")));
    }

    [Fact]
    public async Task A_second_pull_verifies_what_is_there_instead_of_downloading_again()
    {
        using var downloader = Downloader();
        await downloader.PullAsync(ModelReference.Parse(Repo), null, CancellationToken.None);
        var downloads = _hub.Requests.Count(r => r.StartsWith("GET /storage/", StringComparison.Ordinal));

        await downloader.PullAsync(ModelReference.Parse(Repo), null, CancellationToken.None);

        _hub.Requests.Count(r => r.StartsWith("GET /storage/", StringComparison.Ordinal)).Should().Be(downloads);
    }

    [Fact]
    public async Task A_gated_repository_asks_for_a_token_and_the_token_is_sent_to_the_hub_only()
    {
        _hub.RequiredToken = "hf_secret";
        using (var anonymous = Downloader())
        {
            var pull = () => anonymous.PullAsync(ModelReference.Parse(Repo), null, CancellationToken.None);
            (await pull.Should().ThrowAsync<ModelDownloadException>()).WithMessage("*401*token*");
        }

        using var withToken = Downloader("hf_secret");
        await withToken.PullAsync(ModelReference.Parse(Repo), null, CancellationToken.None);

        _hub.Requests.Where(r => r.Contains("/resolve/", StringComparison.Ordinal)).Should().Contain(r => r.EndsWith("Bearer hf_secret", StringComparison.Ordinal));
        _hub.Requests.Where(r => r.StartsWith("GET /storage/", StringComparison.Ordinal)).Should().NotContain(r => r.Contains("Bearer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_repository_without_weights_is_refused_by_name()
    {
        using var downloader = Downloader();

        var pull = () => downloader.PullAsync(ModelReference.Parse("quarry-tests/missing"), null, CancellationToken.None);

        (await pull.Should().ThrowAsync<ModelDownloadException>()).WithMessage("*quarry-tests/missing has no config.json*");
    }

    [Fact]
    public async Task Offline_the_failure_says_the_hub_cannot_be_reached()
    {
        var closed = new Uri($"http://127.0.0.1:{ClosedPort()}/");
        using var downloader = new HuggingFaceDownloader(new ModelHubOptions { Endpoint = closed }, new ModelCache(_cacheRoot));

        var pull = () => downloader.PullAsync(ModelReference.Parse(Repo), null, CancellationToken.None);

        var failure = await pull.Should().ThrowAsync<ModelDownloadException>();
        failure.Which.Offline.Should().BeTrue();
        failure.WithMessage("Cannot reach http://127.0.0.1:*");
    }

    [Fact]
    public async Task Announced_metadata_of_another_file_fails_verification()
    {
        // The real sha256 of bge-small-en-v1.5's ONNX export (../shared/models/lfs-reference-sha256.txt): metadata
        // that does not belong to the bytes served must never pass.
        const string bgeSmallOnnx = "828e1496d7fabb79cfa4dcd84fa38625c0d3d21da474a00f08db0f559940cf35";
        _hub.AnnouncedSha256 = bgeSmallOnnx;
        using var downloader = Downloader();

        var pull = () => downloader.PullAsync(ModelReference.Parse(Repo), null, CancellationToken.None);

        (await pull.Should().ThrowAsync<ModelDownloadException>()).WithMessage($"*hub lists {bgeSmallOnnx}*");
    }

    private static int ClosedPort()
    {
        using var socket = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        socket.Start();
        return ((System.Net.IPEndPoint)socket.LocalEndpoint).Port;
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; tests want every report, in order, before the call returns.</summary>
    private sealed class SyncProgress(List<DownloadProgress> sink) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value)
        {
            lock (sink) sink.Add(value);
        }
    }
}
