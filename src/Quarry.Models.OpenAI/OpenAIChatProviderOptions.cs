namespace Quarry.Models.OpenAI;

/// <summary>
/// One OpenAI-compatible chat endpoint: OpenAI, Azure OpenAI (deployment URL or v1 API), Ollama, vLLM, LM Studio,
/// llama.cpp server, or any server speaking <c>POST /chat/completions</c>. Bound from <c>Models:Chat:Providers:N</c>;
/// the same entry's Timeout, MaxRetries, CircuitBreaker and RateLimit keys configure the gateway around it.
/// </summary>
public sealed class OpenAIChatProviderOptions
{
    public const string MaxCompletionTokens = "max_completion_tokens";
    public const string MaxTokens = "max_tokens";

    /// <summary>The provider's name in the fallback chain.</summary>
    public string Name { get; set; } = "";

    /// <summary>Base URL the SDK appends <c>/chat/completions</c> to, e.g. <c>https://api.openai.com/v1</c>,
    /// <c>http://localhost:11434/v1</c> (Ollama), <c>http://localhost:8000/v1</c> (vLLM). With
    /// <see cref="Deployment"/> set: the Azure OpenAI resource URL, e.g. <c>https://contoso.openai.azure.com</c>.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Bearer key (with <see cref="Deployment"/>: the Azure <c>api-key</c>); leave empty for servers that take
    /// none (a placeholder is sent).</summary>
    public string? ApiKey { get; set; }

    /// <summary>Model name sent in the request, e.g. <c>gpt-4o-mini</c>, <c>llama3.1:8b</c>. Optional with
    /// <see cref="Deployment"/>.</summary>
    public string? Model { get; set; }

    /// <summary>Azure OpenAI deployment: requests go to <c>{Endpoint}/openai/deployments/{Deployment}/chat/completions
    /// ?api-version={ApiVersion}</c> with an <c>api-key</c> header. For Azure's v1 API leave it empty and use
    /// <c>{resource}/openai/v1</c> as <see cref="Endpoint"/> with the deployment name as <see cref="Model"/>.</summary>
    public string? Deployment { get; set; }

    /// <summary>Azure OpenAI <c>api-version</c>, used with <see cref="Deployment"/>.</summary>
    public string ApiVersion { get; set; } = "2024-10-21";

    /// <summary>Tokens the model accepts per request (prompt + answer); the prompt builder budgets against it.</summary>
    public int ContextWindow { get; set; } = 8192;

    /// <summary>Attempt timeout, bound from the same key as the gateway's <c>Timeout</c>, which enforces (and validates)
    /// it; the HTTP client gets it plus a margin, as a backstop only.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Request field for the answer length: <c>max_completion_tokens</c> (OpenAI, Azure, vLLM) or
    /// <c>max_tokens</c> for servers that only know the older one (Ollama, LM Studio, older Azure api-versions).</summary>
    public string MaxTokensParameter { get; set; } = MaxCompletionTokens;

    internal bool IsAzureDeployment => !string.IsNullOrWhiteSpace(Deployment);

    /// <summary>What the request names as its model: the deployment on Azure, else the model.</summary>
    internal string RequestModel => IsAzureDeployment ? Deployment! : Model ?? "";

    internal string ModelId => IsAzureDeployment ? "azure:" + Deployment : "openai:" + Model;
}
