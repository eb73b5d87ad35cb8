using System.ClientModel.Primitives;

namespace Quarry.Models.OpenAI;

/// <summary>
/// Turns the OpenAI SDK's request into Azure OpenAI's deployment form: <c>api-version</c> in the query and the key
/// in an <c>api-key</c> header instead of a bearer token. Runs just before the transport, after the SDK's own
/// authentication policy has set its header.
/// </summary>
internal sealed class AzureDeploymentPolicy(string? apiKey, string apiVersion) : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Apply(message.Request);
        ProcessNext(message, pipeline, currentIndex);
    }

    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Apply(message.Request);
        return ProcessNextAsync(message, pipeline, currentIndex);
    }

    private void Apply(PipelineRequest request)
    {
        request.Headers.Remove("Authorization");
        if (!string.IsNullOrEmpty(apiKey))
            request.Headers.Set("api-key", apiKey);
        var uri = request.Uri!;
        if (!uri.Query.Contains("api-version=", StringComparison.Ordinal))
        {
            var separator = uri.Query.Length > 1 ? "&" : (uri.Query.Length == 1 ? "" : "?");
            request.Uri = new Uri(uri.AbsoluteUri + separator + "api-version=" + Uri.EscapeDataString(apiVersion));
        }
    }
}
