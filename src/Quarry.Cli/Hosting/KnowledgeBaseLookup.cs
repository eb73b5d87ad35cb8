using Quarry.Documents;
using Quarry.Storage;

namespace Quarry.Cli.Hosting;

internal static class KnowledgeBaseLookup
{
    /// <summary>All of the tenant's knowledge bases but hidden ones (evaluation corpora are searched only by name), or
    /// just the named one; an error message when it does not exist.</summary>
    public static async Task<(IReadOnlyList<KnowledgeBase> All, IReadOnlyList<KnowledgeBase>? Selected, string? Error)> ResolveAsync(
        IDocumentStore store, TenantId tenant, string? name, CancellationToken cancellationToken)
    {
        var all = await store.ListKnowledgeBasesAsync(tenant, cancellationToken);
        if (name is null)
        {
            var visible = all.Where(k => !k.Hidden).ToList();
            // An empty list would mean every knowledge base, hidden ones included.
            return visible.Count > 0 || all.Count == 0 ? (all, visible, null) : (all, null, "Every knowledge base is hidden: name one with --kb.");
        }
        var found = all.FirstOrDefault(k => k.Name == name);
        return found is null ? (all, null, $"No knowledge base named '{name}'.") : (all, [found], null);
    }
}
