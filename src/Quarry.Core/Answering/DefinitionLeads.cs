using Quarry.Generation;
using Quarry.Retrieval;

namespace Quarry.Answering;

/// <summary>
/// "What is X?" is answered best by the opening of the document about X, which keyword search often ranks below
/// passages that merely mention X many times. When the evidence holds a chunk of a document whose title is X (mostly: "OAuth2 scopes" is not about OAuth2), that
/// document's opening chunks join the evidence (same document, so the same permissions already let them through).
/// </summary>
internal static class DefinitionLeads
{
    private const double MinimumTitleMatch = 0.6;
    private const int LeadChunks = 2;

    public static async Task<IReadOnlyList<SuppliedEvidence>> AddAsync(
        string question, IReadOnlyList<SuppliedEvidence> evidence, Retriever retriever, SearchFilter filter, CancellationToken cancellationToken)
    {
        var intent = QuestionIntent.Parse(question);
        if (!intent.IsDefinition || evidence.Count == 0) return evidence;
        var about = evidence.Select(e => (Evidence: e, Match: intent.TitleMatch(e.Chunk)))
            .Where(x => x.Match >= MinimumTitleMatch)
            .OrderByDescending(x => x.Match).ThenBy(x => x.Evidence.N)
            .Select(x => x.Evidence).FirstOrDefault();
        if (about is null) return evidence;
        var leads = await retriever.LeadChunksAsync(filter.Tenant, about.Chunk.DocumentId, LeadChunks, cancellationToken);
        var present = evidence.Select(e => e.Chunk.Id).ToHashSet();
        var added = evidence.ToList();
        foreach (var lead in leads.Where(l => !present.Contains(l.Id)))
            added.Add(new SuppliedEvidence(added.Count + 1, lead, about.Score));
        return added;
    }
}
