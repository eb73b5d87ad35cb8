namespace Quarry.Tenancy;

/// <summary>The lower-case names stores persist key roles under; one mapping, so every store reads the others' rows.</summary>
public static class ApiKeyRoleNames
{
    public static string ToName(ApiKeyRole role) => role switch
    {
        ApiKeyRole.Reader => "reader",
        ApiKeyRole.Writer => "writer",
        ApiKeyRole.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role."),
    };

    public static ApiKeyRole Parse(string name) => name switch
    {
        "reader" => ApiKeyRole.Reader,
        "writer" => ApiKeyRole.Writer,
        "admin" => ApiKeyRole.Admin,
        _ => throw new InvalidOperationException($"Unknown key role '{name}' in the database."),
    };
}
