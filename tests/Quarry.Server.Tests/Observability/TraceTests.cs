namespace Quarry.Server.Tests.Observability;

/// <summary>OTLP/HTTP export of a real server's traces to a loopback receiver: the span chain of one ask, the
/// ingestion chain, GenAI attributes, and the trace carried to the model provider.</summary>
[Collection(ObservedCollection.Name)]
public sealed class TraceTests(ObservedServer fixture)
{
    [Fact]
    public async Task One_ask_is_one_trace_with_the_documented_span_chain()
    {
        var spans = await SpansOfTraceAsync(fixture.AskTraceId, "llm.generate");
        fixture.Otlp.Paths.Should().OnlyContain(p => p == "/v1/traces");
        spans.Should().OnlyContain(s => s.Service == "quarry-under-test");

        var request = spans.Single(s => s.Name == "chat.request");
        var server = spans.Single(s => s.SpanId == request.ParentSpanId);
        server.ParentSpanId.Should().BeEmpty("the ASP.NET Core request span is the root");
        var retrieval = spans.Single(s => s.Name == "retrieval");
        retrieval.ParentSpanId.Should().Be(request.SpanId);
        var keyword = spans.Single(s => s.Name == "retrieval.keyword");
        var vector = spans.Single(s => s.Name == "retrieval.vector");
        keyword.ParentSpanId.Should().Be(retrieval.SpanId, "keyword and vector searches are siblings under retrieval");
        vector.ParentSpanId.Should().Be(retrieval.SpanId);
        spans.Single(s => s.Name == "prompt.build").ParentSpanId.Should().Be(request.SpanId);

        var generate = spans.Single(s => s.Name == "llm.generate");
        generate.ParentSpanId.Should().Be(request.SpanId);
        generate.Attributes["gen_ai.request.model"].Should().Be(LoopbackModels.ChatModel);
        generate.Attributes["gen_ai.usage.input_tokens"].Should().Be(LoopbackModels.PromptTokens.ToString(System.Globalization.CultureInfo.InvariantCulture));
        generate.Attributes["gen_ai.usage.output_tokens"].Should().Be(LoopbackModels.CompletionTokens.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // HttpClient's span under llm.generate, and its traceparent at the provider: the trace crosses the process.
        var call = spans.Single(s => s.ParentSpanId == generate.SpanId && s.Attributes.ContainsKey("url.full"));
        fixture.Models.Requests.Should().Contain(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal)
            && r.TraceParent != null && r.TraceParent.StartsWith($"00-{fixture.AskTraceId}-{call.SpanId}-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ingestion_is_traced_from_the_job_to_the_store()
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        ReceivedSpan? job = null;
        while (job is null && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            job = fixture.Otlp.Spans.FirstOrDefault(s => s.Name == "ingest.job");
            if (job is null) await Task.Delay(100);
        }
        job.Should().NotBeNull("the ingestion job's span is exported");
        var spans = fixture.Otlp.Spans.Where(s => s.TraceId == job!.TraceId).ToList();
        bool Under(ReceivedSpan span, ReceivedSpan ancestor)
        {
            for (var s = span; s is not null; s = spans.FirstOrDefault(p => p.SpanId == s.ParentSpanId))
                if (s.ParentSpanId == ancestor.SpanId) return true;
            return false;
        }
        foreach (var stage in new[] { "parse", "chunk", "embed.cache", "store.upsert" })
            spans.Where(s => s.Name == stage).Any(s => Under(s, job!)).Should().BeTrue($"{stage} runs inside the ingestion job");
    }

    private async Task<List<ReceivedSpan>> SpansOfTraceAsync(string traceId, string last)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            var spans = fixture.Otlp.Spans.Where(s => s.TraceId == traceId).ToList();
            // The server span ends last; once it is in, the whole trace is.
            if (spans.Any(s => s.Name == last) && spans.Any(s => s.ParentSpanId.Length == 0)) return spans;
            await Task.Delay(100);
        }
        throw new TimeoutException($"Trace {traceId} did not arrive whole; its spans: {string.Join(", ", fixture.Otlp.Spans.Where(s => s.TraceId == traceId).Select(s => s.Name + (s.ParentSpanId.Length == 0 ? " (root)" : "")))}; all received: {string.Join(", ", fixture.Otlp.Spans.Select(s => s.Name).Distinct())}");
    }
}
