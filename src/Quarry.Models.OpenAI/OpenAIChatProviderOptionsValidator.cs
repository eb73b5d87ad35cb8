using Microsoft.Extensions.Options;

namespace Quarry.Models.OpenAI;

/// <summary>Start-up checks of one chat endpoint, each failure one sentence naming where it is configured.</summary>
internal sealed class OpenAIChatProviderOptionsValidator(string name, string describedAs) : IValidateOptions<OpenAIChatProviderOptions>
{
    public ValidateOptionsResult Validate(string? optionsName, OpenAIChatProviderOptions options)
    {
        if (optionsName != name)
            return ValidateOptionsResult.Skip;

        var failures = new List<string>();
        if (options.Endpoint is null)
        {
            failures.Add($"{describedAs} has no Endpoint: set it to the server's base URL, e.g. https://api.openai.com/v1, http://localhost:11434/v1 (Ollama) or, with Deployment, https://<resource>.openai.azure.com.");
        }
        else if (!options.Endpoint.IsAbsoluteUri || (options.Endpoint.Scheme != Uri.UriSchemeHttps && options.Endpoint.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{describedAs} Endpoint '{options.Endpoint.OriginalString}' is not an absolute http(s) URL, e.g. https://api.openai.com/v1.");
        }
        if (string.IsNullOrWhiteSpace(options.Model) && !options.IsAzureDeployment)
            failures.Add($"{describedAs} has no Model: name the model to call (e.g. gpt-4o-mini, llama3.1) or, for Azure OpenAI, the Deployment.");
        if (options.IsAzureDeployment && string.IsNullOrWhiteSpace(options.ApiVersion))
            failures.Add($"{describedAs} has a Deployment but no ApiVersion: set the Azure OpenAI api-version, e.g. 2024-10-21.");
        if (options.ContextWindow is < 256 or > 10_000_000)
            failures.Add($"{describedAs} ContextWindow is {options.ContextWindow}: use the model's context length in tokens, e.g. 8192 or 128000.");
        if (options.MaxTokensParameter is not (OpenAIChatProviderOptions.MaxCompletionTokens or OpenAIChatProviderOptions.MaxTokens))
            failures.Add($"{describedAs} MaxTokensParameter is '{options.MaxTokensParameter}': use max_completion_tokens or max_tokens.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
