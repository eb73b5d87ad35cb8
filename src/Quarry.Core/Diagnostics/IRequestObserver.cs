namespace Quarry.Diagnostics;

/// <summary>
/// Told once about every completed search, ask and chat completion, with its facts final (status, latency, trace id
/// set). It runs on the request path after the response was written, so it must not block: queue and return.
/// </summary>
public interface IRequestObserver
{
    void Completed(RequestFacts facts);
}
