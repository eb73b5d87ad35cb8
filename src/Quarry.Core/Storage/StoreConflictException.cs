namespace Quarry.Storage;

/// <summary>The write conflicts with existing state (e.g. a duplicate name).</summary>
public sealed class StoreConflictException(string message) : Exception(message);
