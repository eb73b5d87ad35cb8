using System.ComponentModel;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelContextProtocol;
using ModelContextProtocol.Server;
using Quarry.Answering;
using Quarry.Caching;
using Quarry.Retrieval;
using Quarry.Server.Auth;
using Quarry.Server.Conversations;
using Quarry.Server.Endpoints;
using Quarry.Storage;

namespace Quarry.Server.Mcp;

/// <summary>
/// Quarry's MCP tools. Each call runs as the caller (<see cref="IMcpCaller"/>): the tenant, knowledge-base limits and
/// document permissions are those of the API key or token that authenticated the request, resolved by the same
/// lookups as the REST endpoints, so a tool can reach nothing the key could not reach through <c>/v1</c>.
/// </summary>
[McpServerToolType]
internal sealed class QuarryMcpTools(IMcpCaller caller, IDocumentStore store, Retriever retriever, AnswerCache answers, IServiceProvider services)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    [McpServerTool(Name = "list_knowledge_bases", ReadOnly = true, Idempotent = true)]
    [Description("Lists the knowledge bases you may search and ask, with their document counts.")]
    public async Task<string> ListKnowledgeBasesAsync(CancellationToken cancellationToken)
    {
        Audited("list_knowledge_bases");
        var kbs = await KnowledgeBaseLookup.ListAsync(store, caller.User, cancellationToken);
        return Serialize(new { knowledgeBases = kbs.Where(k => !k.Hidden).Select(k => new { name = k.Name, documents = k.DocumentCount }) });
    }

    [McpServerTool(Name = "search", ReadOnly = true, Idempotent = true)]
    [Description("Searches the knowledge base (hybrid keyword and vector retrieval) and returns the best passages with their document ids.")]
    public async Task<string> SearchAsync(
        [Description("What to search for.")] string query,
        [Description("Knowledge base name (see list_knowledge_bases); all of yours when omitted.")] string? knowledgeBase = null,
        [Description("How many passages to return (default 10).")] int? topK = null,
        CancellationToken cancellationToken = default)
    {
        Audited("search");
        var filter = await FilterAsync(knowledgeBase, cancellationToken);
        var result = await retriever.RetrieveAsync(new RetrievalRequest(query, filter, topK), cancellationToken);
        return Serialize(new
        {
            mode = result.Mode,
            results = result.Chunks.Select((r, i) => new
            {
                rank = i + 1,
                score = Math.Round(r.Score, 6),
                documentId = r.Chunk.DocumentId.Value,
                chunkId = r.Chunk.Id.Value,
                title = r.Chunk.Title,
                section = string.Join(" › ", r.Chunk.Section),
                sourceUri = r.Chunk.SourceUri,
                text = r.Chunk.Text,
            }),
        });
    }

    [McpServerTool(Name = "ask", ReadOnly = true)]
    [Description("Answers a question from the knowledge base with citations; abstains when the documents do not say.")]
    public async Task<string> AskAsync(
        [Description("The question.")] string question,
        [Description("Knowledge base name (see list_knowledge_bases); all of yours when omitted.")] string? knowledgeBase = null,
        [Description("A session from start_session: earlier turns become the question's context (follow-ups like \"and its timeout?\" work), and this turn is added to it.")] string? sessionId = null,
        CancellationToken cancellationToken = default)
    {
        Audited("ask");
        var session = sessionId is null ? null : await McpSessions.OpenAsync(services, caller.User, sessionId, cancellationToken);
        var filter = await FilterAsync(knowledgeBase ?? session?.Session.KnowledgeBase, cancellationToken);
        var request = session?.Apply(new AskRequest(question, filter)) ?? new AskRequest(question, filter);
        var answer = await answers.AskAsync(request, new AnswerCacheRequest(AccessScope: caller.User.AccessScopeKey(), Admit: caller.Admit), cancellationToken);
        if (session is not null) await session.AppendAsync(question, answer, cancellationToken);
        return Serialize(new
        {
            text = answer.Text,
            rewrittenQuery = answer.RewrittenQuery,
            grounded = answer.Grounded,
            abstained = answer.Abstained,
            model = answer.Model,
            citations = answer.Citations.Select(c => new { n = c.N, documentId = c.DocumentId, title = c.Title, section = c.Section, quote = c.Quote }),
        });
    }

    [McpServerTool(Name = "start_session", ReadOnly = false)]
    [Description("Starts a conversation: pass its id as sessionId to ask, so follow-up questions are understood in context.")]
    public async Task<string> StartSessionAsync(
        [Description("A title for the conversation.")] string? title = null,
        [Description("The knowledge base its questions go to by default.")] string? knowledgeBase = null,
        CancellationToken cancellationToken = default)
    {
        Audited("start_session");
        if (knowledgeBase is not null && await KnowledgeBaseLookup.FindAsync(store, caller.User, knowledgeBase, cancellationToken) is null)
            throw new McpException($"No knowledge base named '{knowledgeBase}'.");
        var id = await McpSessions.StartAsync(services, caller.User, title, knowledgeBase, cancellationToken);
        return Serialize(new { sessionId = id });
    }

    [McpServerTool(Name = "get_document", ReadOnly = true, Idempotent = true)]
    [Description("Returns a document's metadata and its text (its chunks in order).")]
    public async Task<string> GetDocumentAsync(
        [Description("The knowledge base the document is in.")] string knowledgeBase,
        [Description("The document id (from search or ask results).")] string documentId,
        CancellationToken cancellationToken = default)
    {
        Audited("get_document");
        var (found, document) = await DocumentEndpoints.FindAsync(store, caller.User, knowledgeBase, documentId, cancellationToken);
        if (found is null) throw new McpException($"No knowledge base named '{knowledgeBase}'.");
        if (document is null) throw new McpException($"No document '{documentId}' in knowledge base '{knowledgeBase}'.");
        var chunks = await store.GetChunksAsync(caller.User.Tenant(), document.Id, cancellationToken);
        return Serialize(new
        {
            id = document.Id.Value,
            knowledgeBase = found.Name,
            title = document.Title,
            sourceUri = document.SourceUri,
            contentType = document.ContentType,
            version = document.Version,
            updatedAt = document.UpdatedAt,
            text = string.Join("\n\n", chunks.OrderBy(c => c.Ordinal).Select(c => c.Text)),
        });
    }

    private async Task<SearchFilter> FilterAsync(string? knowledgeBase, CancellationToken cancellationToken)
    {
        var (filter, error) = await FilterMapping.BuildAsync(store, caller.User, knowledgeBase, null, null, cancellationToken);
        if (error is not null) throw new McpException(error is ProblemHttpResult problem ? problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title ?? "Refused." : "Refused.");
        return filter!;
    }

    /// <summary>The request's metrics, summary line and audit record name the tool (mcp_search, mcp_ask…); what it
    /// retrieved and cited is recorded as for <c>/v1</c>.</summary>
    private static void Audited(string tool)
    {
        if (Quarry.Diagnostics.RequestFacts.Current is { } facts) facts.Route = "mcp_" + tool;
    }

    private static string Serialize(object value) => JsonSerializer.Serialize(value, Json);
}
