using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Quarry.Embedding;

namespace Quarry.Models.OpenAI.Tests;

public sealed class OpenAICompatibleEmbedderTests : IAsyncLifetime
{
    private readonly FakeEmbeddingServer _server = new(dimension: 8);
    private readonly List<OpenAICompatibleEmbedder> _embedders = [];

    private OpenAICompatibleEmbedder Embedder(Action<OpenAIEmbeddingOptions>? configure = null)
    {
        var options = new OpenAIEmbeddingOptions
        {
            Endpoint = _server.Endpoint,
            ApiKey = "sk-test",
            Model = "test-embed",
            RetryDelay = TimeSpan.FromMilliseconds(10),
            Timeout = TimeSpan.FromSeconds(20),
        };
        configure?.Invoke(options);
        var embedder = new OpenAICompatibleEmbedder(options, TimeProvider.System, NullLogger<OpenAICompatibleEmbedder>.Instance);
        _embedders.Add(embedder);
        return embedder;
    }

    private static string[] Texts(int count) => [.. Enumerable.Range(0, count).Select(i => $"text number {i:D3}")];

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task Speaks_the_embeddings_wire_protocol_and_returns_vectors_in_input_order()
    {
        var embedder = Embedder();
        embedder.Model.Should().Be(new EmbeddingModel("openai:test-embed", 0), "the dimension is learnt from the first response");

        var texts = new[] { "alpha", "beta", "gamma" };
        var vectors = await embedder.EmbedAsync(texts, EmbeddingKind.Document, Ct);

        vectors.Select(v => v.ToArray()).Should().BeEquivalentTo(texts.Select(t => FakeEmbeddingServer.VectorFor(t, 8)), o => o.WithStrictOrdering());
        embedder.Model.Should().Be(new EmbeddingModel("openai:test-embed", 8));
        var request = _server.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be("POST");
        request.Path.Should().Be("/v1/embeddings");
        request.Authorization.Should().Be("Bearer sk-test");
        request.Model.Should().Be("test-embed");
        request.Dimensions.Should().BeNull();
        request.EncodingFormat.Should().Be("base64", "SDK 2.15 asks for base64 and decodes it; the server answers in kind");
        request.Inputs.Should().Equal(texts);
    }

    [Fact]
    public async Task Sends_the_models_published_prefixes_queries_and_documents_each_their_own()
    {
        var embedder = Embedder(o => o.Model = "intfloat/e5-small-v2");

        await embedder.EmbedAsync(["alpha"], EmbeddingKind.Query, Ct);
        await embedder.EmbedAsync(["beta"], EmbeddingKind.Document, Ct);

        _server.Requests.Select(r => r.Inputs.Single()).Should().Equal("query: alpha", "passage: beta");
        embedder.Model.Id.Should().StartWith("openai:intfloat/e5-small-v2+doc:", "vectors of prefixed documents are not those of plain ones");
    }

    [Fact]
    public async Task Configured_prefixes_replace_the_published_ones_and_empty_means_none()
    {
        var embedder = Embedder(o =>
        {
            o.Model = "intfloat/e5-small-v2";
            o.QueryPrefix = "Instruct: find the passage\nQuery: ";
            o.DocumentPrefix = "";
        });

        await embedder.EmbedAsync(["alpha"], EmbeddingKind.Query, Ct);
        await embedder.EmbedAsync(["beta"], EmbeddingKind.Document, Ct);

        _server.Requests.Select(r => r.Inputs.Single()).Should().Equal("Instruct: find the passage\nQuery: alpha", "beta");
        embedder.Model.Id.Should().Be("openai:intfloat/e5-small-v2");
    }

    [Fact]
    public async Task Float_arrays_are_accepted_from_servers_that_ignore_encoding_format()
    {
        _server.Then(Reply.OkAsFloats);

        var vectors = await Embedder().EmbedAsync(["alpha", "beta"], EmbeddingKind.Document, Ct);

        vectors.Select(v => v.ToArray()).Should().BeEquivalentTo(
            [FakeEmbeddingServer.VectorFor("alpha", 8), FakeEmbeddingServer.VectorFor("beta", 8)], o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task Requests_the_configured_dimensions_and_reports_them_in_the_model()
    {
        var embedder = Embedder(o => o.Dimensions = 4);
        embedder.Model.Should().Be(new EmbeddingModel("openai:test-embed@4", 4));

        var vectors = await embedder.EmbedAsync(["alpha"], EmbeddingKind.Query, Ct);

        vectors.Should().ContainSingle().Which.Length.Should().Be(4);
        _server.Requests.Should().ContainSingle().Which.Dimensions.Should().Be(4);
    }

    [Fact]
    public async Task A_server_without_keys_gets_a_placeholder_key()
    {
        await Embedder(o => o.ApiKey = null).EmbedAsync(["alpha"], EmbeddingKind.Document, Ct);

        _server.Requests.Should().ContainSingle().Which.Authorization.Should().StartWith("Bearer ");
    }

    [Fact]
    public async Task A_429_is_retried_after_the_Retry_After_the_server_asked_for()
    {
        _server.Then(Reply.Status(429, retryAfter: "1", message: "Rate limit reached")).Then(Reply.Ok);

        var vectors = await Embedder().EmbedAsync(["alpha", "beta"], EmbeddingKind.Document, Ct);

        vectors.Should().HaveCount(2);
        var requests = _server.Requests;
        requests.Should().HaveCount(2);
        // Protocol, not performance: the backoff alone (10 ms) would have retried far sooner than Retry-After.
        Stopwatch.GetElapsedTime(requests[0].Timestamp, requests[1].Timestamp).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(0.9));
    }

    [Fact]
    public async Task Server_errors_are_retried_until_one_succeeds()
    {
        _server.Then(Reply.Status(500)).Then(Reply.Status(503)).Then(Reply.Ok);

        var vectors = await Embedder().EmbedAsync(["alpha"], EmbeddingKind.Document, Ct);

        vectors.Should().ContainSingle().Which.ToArray().Should().Equal(FakeEmbeddingServer.VectorFor("alpha", 8));
        _server.Requests.Should().HaveCount(3);
    }

    [Fact]
    public async Task Retries_are_bounded_and_the_failure_stays_transient()
    {
        _server.Then(Reply.Status(503)).Then(Reply.Status(503)).Then(Reply.Status(503, message: "Overloaded")).Then(Reply.Ok);

        var act = () => Embedder(o => o.MaxRetries = 2).EmbedAsync(["alpha"], EmbeddingKind.Document, Ct);

        var failure = (await act.Should().ThrowAsync<EmbeddingException>()).Which;
        failure.IsTransient.Should().BeTrue();
        failure.Message.Should().Contain("503").And.Contain("Overloaded").And.Contain("3 attempt(s)");
        _server.Requests.Should().HaveCount(3);
    }

    [Fact]
    public async Task A_Retry_After_longer_than_MaxRetryDelay_fails_now_as_transient()
    {
        _server.Then(Reply.Status(429, retryAfter: "3600")).Then(Reply.Ok);

        var act = () => Embedder(o => o.MaxRetryDelay = TimeSpan.FromSeconds(5)).EmbedAsync(["alpha"], EmbeddingKind.Document, Ct);

        (await act.Should().ThrowAsync<EmbeddingException>()).Which.IsTransient.Should().BeTrue();
        _server.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Unauthorized_is_not_retried_and_names_the_status_and_the_providers_message()
    {
        _server.Then(Reply.Status(401, message: "Incorrect API key provided: sk-test."));

        var act = () => Embedder().EmbedAsync(["alpha"], EmbeddingKind.Document, Ct);

        var failure = (await act.Should().ThrowAsync<EmbeddingException>()).Which;
        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("401").And.Contain("Incorrect API key provided");
        _server.Requests.Should().ContainSingle();
    }

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(404)]
    public async Task Client_errors_are_not_retried(int status)
    {
        _server.Then(Reply.Status(status, message: "The model does not exist"));

        var act = () => Embedder().EmbedAsync(["alpha"], EmbeddingKind.Document, Ct);

        var failure = (await act.Should().ThrowAsync<EmbeddingException>()).Which;
        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain(status.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain("The model does not exist");
        _server.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Malformed_json_is_a_permanent_failure()
    {
        _server.Then(Reply.MalformedJson);

        var act = () => Embedder().EmbedAsync(["alpha"], EmbeddingKind.Document, Ct);

        var failure = (await act.Should().ThrowAsync<EmbeddingException>()).Which;
        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("malformed");
        _server.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task A_response_with_the_wrong_number_of_vectors_is_rejected()
    {
        _server.Then(Reply.WrongCount(2));

        var act = () => Embedder().EmbedAsync(["alpha", "beta", "gamma"], EmbeddingKind.Document, Ct);

        var failure = (await act.Should().ThrowAsync<EmbeddingException>()).Which;
        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("2 embeddings for 3 inputs");
    }

    [Fact]
    public async Task Vectors_of_another_dimension_than_configured_are_rejected()
    {
        _server.Then(Reply.WrongDimension(8));

        var act = () => Embedder(o => o.Dimensions = 4).EmbedAsync(["alpha"], EmbeddingKind.Document, Ct);

        var failure = (await act.Should().ThrowAsync<EmbeddingException>()).Which;
        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("8-dimensional").And.Contain("expected 4");
    }

    [Fact]
    public async Task Vectors_of_another_dimension_than_first_learnt_are_rejected()
    {
        var embedder = Embedder();
        await embedder.EmbedAsync(["alpha"], EmbeddingKind.Document, Ct);
        _server.Then(Reply.WrongDimension(5));

        var act = () => embedder.EmbedAsync(["beta"], EmbeddingKind.Document, Ct);

        var failure = (await act.Should().ThrowAsync<EmbeddingException>()).Which;
        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("5-dimensional").And.Contain("expected 8");
        embedder.Model.Dimension.Should().Be(8);
    }

    [Fact]
    public async Task Large_inputs_are_split_into_batches_sent_in_order()
    {
        var texts = Texts(150);

        var vectors = await Embedder(o => o.MaxConcurrency = 1).EmbedAsync(texts, EmbeddingKind.Document, Ct);

        _server.Requests.Select(r => r.Inputs.Count).Should().Equal(64, 64, 22);
        _server.Requests.SelectMany(r => r.Inputs).Should().Equal(texts);
        vectors.Select(v => v.ToArray()).Should().BeEquivalentTo(texts.Select(t => FakeEmbeddingServer.VectorFor(t, 8)), o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task Concurrent_callers_each_get_the_vectors_of_their_own_texts()
    {
        var embedder = Embedder(o =>
        {
            o.BatchSize = 1;
            o.MaxConcurrency = 4;
        });
        var callers = Enumerable.Range(0, 8)
            .Select(c => Enumerable.Range(0, 12).Select(i => $"caller {c} text {i}").ToArray())
            .ToArray();

        var results = await Task.WhenAll(callers.Select(texts => embedder.EmbedAsync(texts, EmbeddingKind.Document, Ct)));

        for (var c = 0; c < callers.Length; c++)
        {
            results[c].Select(v => v.ToArray()).Should().BeEquivalentTo(
                callers[c].Select(t => FakeEmbeddingServer.VectorFor(t, 8)), o => o.WithStrictOrdering(), $"caller {c} sent its own texts");
        }
        _server.Requests.SelectMany(r => r.Inputs).Should().BeEquivalentTo(callers.SelectMany(t => t));
    }

    [Fact]
    public async Task Requests_in_flight_never_exceed_MaxConcurrency_even_across_callers()
    {
        _server.DefaultLatency = TimeSpan.FromMilliseconds(50);
        var embedder = Embedder(o =>
        {
            o.BatchSize = 2;
            o.MaxConcurrency = 3;
        });

        var results = await Task.WhenAll(
            embedder.EmbedAsync(Texts(20), EmbeddingKind.Document, Ct),
            embedder.EmbedAsync(Texts(20), EmbeddingKind.Query, Ct));

        results.Should().AllSatisfy(r => r.Should().HaveCount(20));
        _server.Requests.Should().HaveCount(20);
        _server.MaxInFlight.Should().BeInRange(1, 3);
    }

    [Fact]
    public async Task Cancellation_stops_an_in_flight_request_without_retrying()
    {
        _server.Then(Reply.Hang);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var embedding = Embedder().EmbedAsync(["alpha"], EmbeddingKind.Document, cts.Token);
        await _server.Hanging.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        await cts.CancelAsync();

        await embedding.Invoking(t => t.WaitAsync(TimeSpan.FromSeconds(30), Ct)).Should().ThrowAsync<OperationCanceledException>();
        _server.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Each_attempt_has_its_own_timeout_and_a_timed_out_attempt_is_retried()
    {
        _server.Then(Reply.Hang).Then(Reply.Ok);

        var vectors = await Embedder(o => o.Timeout = TimeSpan.FromMilliseconds(500)).EmbedAsync(["alpha"], EmbeddingKind.Document, Ct);

        vectors.Should().ContainSingle();
        _server.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_timeout_without_retries_left_is_a_transient_failure()
    {
        _server.Then(Reply.Hang);

        var act = () => Embedder(o =>
        {
            o.Timeout = TimeSpan.FromMilliseconds(300);
            o.MaxRetries = 0;
        }).EmbedAsync(["alpha"], EmbeddingKind.Document, Ct);

        var failure = (await act.Should().ThrowAsync<EmbeddingException>()).Which;
        failure.IsTransient.Should().BeTrue();
        failure.Message.Should().Contain("did not answer");
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_a_transient_failure()
    {
        var nobody = new Uri($"http://127.0.0.1:{FreePort()}/v1");

        var act = () => Embedder(o =>
        {
            o.Endpoint = nobody;
            o.MaxRetries = 1;
        }).EmbedAsync(["alpha"], EmbeddingKind.Document, Ct);

        (await act.Should().ThrowAsync<EmbeddingException>()).Which.IsTransient.Should().BeTrue();
    }

    [Fact]
    public async Task A_failing_batch_fails_the_whole_call_with_its_own_error()
    {
        _server.Then(Reply.Ok).Then(Reply.Status(401, message: "Incorrect API key provided"));

        var act = () => Embedder(o =>
        {
            o.BatchSize = 2;
            o.MaxConcurrency = 1;
        }).EmbedAsync(Texts(10), EmbeddingKind.Document, Ct);

        (await act.Should().ThrowAsync<EmbeddingException>()).Which.Message.Should().Contain("401");
        _server.Requests.Should().HaveCount(2, "the remaining batches are cancelled, not sent");
    }

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        socket.Start();
        return ((System.Net.IPEndPoint)socket.LocalEndpoint).Port;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var embedder in _embedders)
            embedder.Dispose();
        await _server.DisposeAsync();
    }
}
