using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Quarry.Cli.Commands;
using Quarry.Cli.Output;
using Quarry.Documents;
using Quarry.Retrieval;
using Quarry.Storage;

namespace Quarry.Cli.Hosting;

/// <summary>The knowledge bases and filter a search or question runs over, from <c>--kb</c> and <c>--filter</c>.</summary>
internal sealed record QueryScope(SearchFilter Filter, IReadOnlyList<KnowledgeBase> KnowledgeBases)
{
    public bool IsEmpty => KnowledgeBases.Sum(k => k.DocumentCount) == 0;

    /// <returns>The scope, or the exit code after the error has been printed.</returns>
    public static async Task<(QueryScope? Scope, int ExitCode)> ResolveAsync(IServiceProvider services, ParseResult result,
        Option<string?> kb, Option<string[]> filters, CancellationToken cancellationToken)
    {
        var store = services.GetRequiredService<IDocumentStore>();
        var tenant = CliContext.ResolveTenant(result);
        var (_, knowledgeBases, kbError) = await KnowledgeBaseLookup.ResolveAsync(store, tenant, result.GetValue(kb), cancellationToken);
        if (kbError is not null)
        {
            await Console.Error.WriteLineAsync(kbError);
            return (null, ExitCodes.PartialFailure);
        }
        var (filter, filterError) = SearchFilters.Parse(tenant, knowledgeBases!.Select(k => k.Id).ToList(), result.GetValue(filters));
        if (filterError is not null)
        {
            await Console.Error.WriteLineAsync(filterError);
            return (null, ExitCodes.Usage);
        }
        return (new QueryScope(filter!, knowledgeBases!), ExitCodes.Ok);
    }
}
