using System.Runtime.CompilerServices;
using System.Text;
using Quarry.Documents;
using Quarry.Generation;
using Quarry.Tokenization;

namespace Quarry.Spending;

/// <summary>
/// The gateway as callers see it when spending is tracked: refuses a call from a tenant over its quota before any
/// provider is asked, and records every answered call (tokens and cost) in the tenant's ledger. A provider that
/// reports no usage is counted with Quarry's tokenizer, so no call goes unmetered.
/// </summary>
internal sealed class MeteredChatModel(IChatModel inner, UsageMeter meter, ITokenCounter tokens) : IChatModel, IChatAdmission
{
    public string ModelId => inner.ModelId;

    public int ContextWindow => inner.ContextWindow;

    public ValueTask AdmitAsync(TenantId tenant, CancellationToken cancellationToken) =>
        meter.EnsureWithinQuotaAsync(tenant, cancellationToken);

    public async Task<ChatCompletion> CompleteAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        var tenant = request.Tenant ?? TenantId.Default;
        if (!request.Admitted) await meter.EnsureWithinQuotaAsync(tenant, cancellationToken);
        var completion = await inner.CompleteAsync(request, cancellationToken);
        var usage = completion.Usage ?? Estimate(request, completion.Text);
        await meter.RecordAsync(tenant, completion.Model, usage, CancellationToken.None);
        return completion with { Usage = usage };
    }

    public async IAsyncEnumerable<ChatUpdate> StreamAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var tenant = request.Tenant ?? TenantId.Default;
        if (!request.Admitted) await meter.EnsureWithinQuotaAsync(tenant, cancellationToken);
        var text = new StringBuilder();
        string? model = null;
        TokenUsage? usage = null;
        var finished = false;
        try
        {
            await foreach (var update in inner.StreamAsync(request, cancellationToken))
            {
                model ??= update.Model;
                usage = update.Usage ?? usage;
                text.Append(update.TextDelta);
                yield return update;
            }
            finished = true;
        }
        finally
        {
            // A stream the caller abandons was still paid for up to where it stopped.
            if (model is not null)
            {
                var spent = usage ?? Estimate(request, text.ToString());
                await meter.RecordAsync(tenant, model, spent, CancellationToken.None);
                usage ??= spent;
            }
        }
        if (finished && model is not null) yield return new ChatUpdate(null, Usage: usage);
    }

    private TokenUsage Estimate(ChatRequest request, string output)
    {
        var input = 0;
        foreach (var message in request.Messages) input += tokens.CountTokens(message.Content) + 4;
        return new TokenUsage(input, tokens.CountTokens(output));
    }
}
