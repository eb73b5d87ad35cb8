using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Quarry.Answering;
using Quarry.Conversations;
using Quarry.Diagnostics;
using Quarry.Generation;

namespace Quarry.Server.Conversations;

/// <summary>
/// A question asked in a session (<c>"sessionId"</c> on <c>/v1/ask</c>; <c>session_id</c> or <c>X-Session-Id</c> on
/// chat completions): the session's latest turns become the question's history (unless the client sent its own), and
/// the answer is appended as a turn once it is complete. The history is part of the answer cache key, so a follow-up
/// is never served another conversation's answer.
/// </summary>
internal sealed class SessionTurn
{
    public const string Header = "X-Session-Id";

    private readonly Sessions _sessions;
    private readonly IReadOnlyList<ConversationTurn> _turns;

    private SessionTurn(Sessions sessions, Conversation session, IReadOnlyList<ConversationTurn> turns)
    {
        _sessions = sessions;
        Session = session;
        _turns = turns;
    }

    public Conversation Session { get; }

    /// <summary>The session named by the request, or a 404 problem; (null, null) when the request names none.</summary>
    public static async Task<(SessionTurn? Turn, IResult? Error)> OpenAsync(HttpContext http, string? sessionId, CancellationToken cancellationToken)
    {
        sessionId ??= http.Request.Headers[Header].FirstOrDefault();
        if (string.IsNullOrEmpty(sessionId)) return (null, null);
        var sessions = (Sessions)http.RequestServices.GetService(typeof(Sessions))!;
        var turn = await OpenAsync(sessions, http.User, sessionId, cancellationToken);
        return turn is null ? (null, SessionEndpoints.NotFound(sessionId)) : (turn, null);
    }

    /// <summary>The caller's session with its turns, or null when it does not exist, is another caller's, or expired.</summary>
    public static async Task<SessionTurn?> OpenAsync(Sessions sessions, System.Security.Claims.ClaimsPrincipal user, string sessionId, CancellationToken cancellationToken)
    {
        if (await sessions.FindAsync(user, sessionId, cancellationToken) is not { } session) return null;
        var turns = await sessions.Store.GetTurnsAsync(session.Tenant, session.Owner, session.Id, cancellationToken);
        if (RequestFacts.Current is { } facts) facts.SessionId = session.Id;
        return new SessionTurn(sessions, session, turns);
    }

    /// <summary>The session's newest turns as history, when the client sent none of its own.</summary>
    public AskRequest Apply(AskRequest request)
    {
        if (request.History.Count > 0 || _turns.Count == 0) return request;
        var history = new List<ChatMessage>();
        foreach (var turn in _turns.TakeLast(_sessions.Options.HistoryTurns))
        {
            history.Add(new ChatMessage(ChatRole.User, turn.Question));
            history.Add(new ChatMessage(ChatRole.Assistant, turn.Answer));
        }
        return request with { History = history };
    }

    public async Task AppendAsync(string question, Answer answer, CancellationToken cancellationToken)
    {
        var turn = new ConversationTurn(0, question, answer.RewrittenQuery, answer.Text, answer.Citations, _sessions.Now());
        await _sessions.Store.AppendTurnAsync(Session.Tenant, Session.Owner, Session.Id, turn, _sessions.Limits, cancellationToken);
    }

    /// <summary>Appends the turn when the final answer arrives, before the client sees it: a client that asks its next
    /// question on <c>done</c> finds this turn in the history.</summary>
    public async IAsyncEnumerable<AnswerEvent> RecordAsync(string question, IAsyncEnumerable<AnswerEvent> events, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var e in events.WithCancellation(cancellationToken))
        {
            if (e is DoneEvent done) await AppendAsync(question, done.Answer, cancellationToken);
            yield return e;
        }
    }
}
