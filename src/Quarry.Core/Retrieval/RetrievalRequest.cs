namespace Quarry.Retrieval;

public sealed record RetrievalRequest(string Query, SearchFilter Filter, int? TopK = null);
