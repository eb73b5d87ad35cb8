using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Quarry.Server.Tests.TestSupport;

/// <summary>Small helpers over the HTTP API, speaking plain JSON as any client would.</summary>
internal static class Api
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(expected, body);
        using var document = JsonDocument.Parse(body.Length == 0 ? "null" : body);
        return document.RootElement.Clone();
    }

    /// <summary>Asserts an RFC 7807 problem with the given status and stable type.</summary>
    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, body);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json", body);
        using var document = JsonDocument.Parse(body);
        var problem = document.RootElement.Clone();
        problem.GetProperty("type").GetString().Should().Be("urn:quarry:problem:" + code, body);
        problem.GetProperty("status").GetInt32().Should().Be((int)status);
        body.Should().NotContain("   at ", "problem details never carry stack traces");
        return problem;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object body) =>
        client.PostAsJsonAsync(path, body);

    public static async Task<JsonElement> CreateKnowledgeBaseAsync(this HttpClient admin, string name) =>
        await (await admin.PostJsonAsync("/v1/knowledge-bases", new { name })).JsonAsync(HttpStatusCode.Created);

    public static Task<HttpResponseMessage> UploadFileAsync(this HttpClient client, string kb, string fileName, byte[] content, string? contentType = "text/markdown",
        IReadOnlyDictionary<string, string>? fields = null)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        if (contentType is not null) file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "file", fileName);
        foreach (var (name, value) in fields ?? new Dictionary<string, string>()) form.Add(new StringContent(value), name);
        return client.PostAsync($"/v1/knowledge-bases/{kb}/documents", form);
    }

    public static Task<HttpResponseMessage> UploadTextAsync(this HttpClient client, string kb, string fileName, string text) =>
        client.UploadFileAsync(kb, fileName, Encoding.UTF8.GetBytes(text));

    /// <summary>Uploads and waits for the job to succeed; returns the job.</summary>
    public static async Task<JsonElement> IngestAsync(this HttpClient client, string kb, string fileName, string text)
    {
        var accepted = await (await client.UploadTextAsync(kb, fileName, text)).JsonAsync(HttpStatusCode.Accepted);
        var job = await client.WaitForJobAsync(accepted.GetProperty("jobId").GetString()!);
        job.GetProperty("status").GetString().Should().Be("succeeded", job.ToString());
        return job;
    }

    public static async Task<IReadOnlyList<JsonElement>> ListJobsAsync(this HttpClient client) =>
        (await (await client.GetAsync("/v1/jobs?limit=100")).JsonAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToList();

    public static async Task<JsonElement> WaitForJobAsync(this HttpClient client, string jobId, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var job = await (await client.GetAsync($"/v1/jobs/{jobId}", cts.Token)).JsonAsync(HttpStatusCode.OK);
            if (job.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled") return job;
            await Task.Delay(50, cts.Token);
        }
    }
}
