using System.Globalization;
using Quarry.Generation;
using Quarry.Testing;

namespace Quarry.Models.OpenAI.Tests;

/// <summary>The provider alone, one attempt per call, against a server speaking the chat-completions protocol.</summary>
public sealed class OpenAIChatClientTests : IAsyncLifetime
{
    private readonly FakeChatServer _server = new();

    private static CancellationToken Ct => CancellationToken.None;

    private static readonly ChatRequest Question = new(
        [
            new ChatMessage(ChatRole.System, "Answer only from the evidence; cite as [n]."),
            new ChatMessage(ChatRole.User, "[1] The warranty lasts two years.\n\nHow long is the warranty?"),
        ],
        MaxOutputTokens: 200,
        Temperature: 0.1f);

    private ChatClientModel Model(Action<OpenAIChatProviderOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new OpenAIChatProviderOptions { Name = "test", Endpoint = _server.Endpoint, ApiKey = "sk-test", Model = "gpt-test" };
        configure?.Invoke(options);
        // As the gateway sees the provider: the MEAI client behind the adapter every provider goes through.
        return new ChatClientModel(new OpenAIChatClient(options, time ?? TimeProvider.System), options.Name, options.ContextWindow, options.ModelId);
    }

    [Fact]
    public async Task Complete_speaks_the_chat_completions_protocol()
    {
        _server.Then(ChatReply.Answer("The warranty lasts two years [1].", promptTokens: 31, completionTokens: 9));

        var completion = await Model().CompleteAsync(Question, Ct);

        completion.Should().Be(new Generation.ChatCompletion("The warranty lasts two years [1].", "openai:gpt-test", new TokenUsage(31, 9), "stop"));
        var request = _server.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be("POST");
        request.Path.Should().Be("/v1/chat/completions");
        request.Header("Authorization").Should().Be("Bearer sk-test");
        request.Model.Should().Be("gpt-test");
        request.Messages.Should().Equal(("system", Question.Messages[0].Content), ("user", Question.Messages[1].Content));
        request.MaxCompletionTokens.Should().Be(200);
        request.MaxTokens.Should().BeNull();
        request.Temperature.Should().BeApproximately(0.1, 1e-6);
        request.Stream.Should().BeFalse();
    }

    [Fact]
    public async Task Servers_that_only_know_max_tokens_get_max_tokens()
    {
        await Model(o => o.MaxTokensParameter = OpenAIChatProviderOptions.MaxTokens).CompleteAsync(Question, Ct);

        var request = _server.Requests.Should().ContainSingle().Subject;
        request.MaxTokens.Should().Be(200);
        request.MaxCompletionTokens.Should().BeNull();
    }

    [Fact]
    public async Task Stream_yields_the_deltas_then_one_last_update_with_finish_reason_and_usage()
    {
        const string text = "The warranty lasts two years [1].";
        _server.Then(ChatReply.Answer(text, promptTokens: 31, completionTokens: 9));

        var updates = await Model().StreamAsync(Question, Ct).ToListAsync();

        var request = _server.Requests.Should().ContainSingle().Subject;
        request.Stream.Should().BeTrue();
        request.IncludeUsage.Should().BeTrue("the SDK asks for the usage chunk");
        updates.Should().HaveCountGreaterThan(2, "one update per delta the server sent");
        string.Concat(updates.Select(u => u.TextDelta)).Should().Be(text);
        updates[0].Model.Should().Be("openai:gpt-test");
        updates.Take(updates.Count - 1).Should().AllSatisfy(u => u.TextDelta.Should().NotBeNullOrEmpty());
        updates[^1].Should().Be(new ChatUpdate(null, new TokenUsage(31, 9), "stop"));
    }

    [Fact]
    public async Task Azure_deployments_get_their_URL_api_version_and_api_key_header()
    {
        var model = Model(o =>
        {
            o.Endpoint = _server.BaseAddress;
            o.Model = null;
            o.Deployment = "gpt4o-prod";
            o.ApiKey = "azure-secret";
        });

        model.ModelId.Should().Be("azure:gpt4o-prod");
        await model.CompleteAsync(Question, Ct);
        await model.StreamAsync(Question, Ct).ToListAsync();

        _server.Requests.Should().HaveCount(2).And.AllSatisfy(request =>
        {
            request.Path.Should().Be("/openai/deployments/gpt4o-prod/chat/completions");
            request.Query.Should().Be("?api-version=2024-10-21");
            request.Header("api-key").Should().Be("azure-secret");
            request.Header("Authorization").Should().BeNull("Azure's deployment API takes the key in api-key");
        });
    }

    [Theory]
    [InlineData(429, true)]
    [InlineData(408, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(404, false)]
    public async Task Error_statuses_become_chat_model_exceptions_with_status_and_provider_message(int status, bool transient)
    {
        _server.Then(ChatReply.Status(status, message: "Scripted trouble"));

        var act = () => Model().CompleteAsync(Question, Ct);

        var failure = (await act.Should().ThrowAsync<ChatModelException>()).Which;
        failure.StatusCode.Should().Be(status);
        failure.IsTransient.Should().Be(transient);
        failure.Message.Should().Contain(status.ToString(CultureInfo.InvariantCulture)).And.Contain("Scripted trouble");
        _server.Requests.Should().ContainSingle("the provider makes one attempt; retrying is the gateway's");
    }

    [Fact]
    public async Task Retry_After_in_seconds_is_passed_on()
    {
        _server.Then(ChatReply.Status(429, retryAfter: "7"));

        var act = () => Model().CompleteAsync(Question, Ct);

        (await act.Should().ThrowAsync<ChatModelException>()).Which.RetryAfter.Should().Be(TimeSpan.FromSeconds(7));
    }

    [Fact]
    public async Task Retry_After_as_an_HTTP_date_is_read_against_the_injected_clock()
    {
        var time = new ManualTimeProvider();
        _server.Then(ChatReply.Status(503, retryAfter: time.GetUtcNow().AddSeconds(90).ToString("r", CultureInfo.InvariantCulture)));

        var act = () => Model(time: time).StreamAsync(Question, Ct).ToListAsync().AsTask();

        (await act.Should().ThrowAsync<ChatModelException>()).Which.RetryAfter.Should().Be(TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task A_connection_reset_is_transient_without_a_status()
    {
        _server.Then(ChatReply.ConnectionReset);

        var act = () => Model().CompleteAsync(Question, Ct);

        var failure = (await act.Should().ThrowAsync<ChatModelException>()).Which;
        failure.IsTransient.Should().BeTrue();
        failure.StatusCode.Should().BeNull();
    }

    [Fact]
    public async Task Malformed_json_is_rejected_as_permanent()
    {
        _server.Then(ChatReply.MalformedJson);

        var act = () => Model().CompleteAsync(Question, Ct);

        var failure = (await act.Should().ThrowAsync<ChatModelException>()).Which;
        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("malformed");
    }

    [Fact]
    public async Task A_completion_without_choices_is_rejected()
    {
        _server.Then(ChatReply.NoChoices);

        var act = () => Model().CompleteAsync(Question, Ct);

        var failure = (await act.Should().ThrowAsync<ChatModelException>()).Which;
        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("no choices");
    }

    [Fact]
    public async Task A_stream_that_ends_without_a_finish_reason_fails_rather_than_passing_as_complete()
    {
        _server.Then(ChatReply.StreamWithoutFinish("The warranty lasts"));

        var act = () => Model().StreamAsync(Question, Ct).ToListAsync().AsTask();

        var failure = (await act.Should().ThrowAsync<ChatModelException>()).Which;
        failure.IsTransient.Should().BeTrue();
        failure.Message.Should().Contain("before the model finished");
    }

    [Fact]
    public async Task A_stream_reset_mid_answer_fails_after_the_text_that_arrived()
    {
        _server.Then(ChatReply.ResetAfter("The warranty lasts two years.", chunks: 2));
        var received = new List<string?>();

        var act = async () =>
        {
            await foreach (var update in Model().StreamAsync(Question, Ct))
                received.Add(update.TextDelta);
        };

        (await act.Should().ThrowAsync<ChatModelException>()).Which.IsTransient.Should().BeTrue();
        string.Concat(received).Should().Be("The warranty");
    }

    [Fact]
    public async Task Cancelling_a_completion_aborts_the_upstream_request()
    {
        _server.Then(ChatReply.Hang);
        using var cts = new CancellationTokenSource();
        var call = Model().CompleteAsync(Question, cts.Token);
        await _server.WaitForRequestsAsync(1);

        await cts.CancelAsync();

        await call.Invoking(c => c.WaitAsync(TimeSpan.FromSeconds(20), Ct)).Should().ThrowAsync<OperationCanceledException>();
        await _server.WaitForClientAbortsAsync(1);
    }

    [Fact]
    public async Task Cancelling_a_stream_mid_answer_aborts_the_upstream_request()
    {
        _server.Then(ChatReply.StallAfter("The warranty lasts two years.", chunks: 2));
        using var cts = new CancellationTokenSource();
        await using var updates = Model().StreamAsync(Question, cts.Token).GetAsyncEnumerator(Ct);
        (await updates.MoveNextAsync()).Should().BeTrue();
        updates.Current.TextDelta.Should().Be("The");

        (await updates.MoveNextAsync()).Should().BeTrue();
        var next = updates.MoveNextAsync().AsTask();
        await cts.CancelAsync();

        await next.Invoking(n => n.WaitAsync(TimeSpan.FromSeconds(20), Ct)).Should().ThrowAsync<OperationCanceledException>();
        await _server.WaitForClientAbortsAsync(1);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();
}
