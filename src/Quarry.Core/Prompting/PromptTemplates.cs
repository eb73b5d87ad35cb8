using System.Reflection;

namespace Quarry.Prompting;

/// <summary>The prompt texts, kept as embedded resource files (Prompting/Resources) so they can be read and reviewed as prose.</summary>
internal static class PromptTemplates
{
    public static string System { get; } = Load("system.md");
    public static string Evidence { get; } = Load("evidence.md");
    public static string Question { get; } = Load("question.md");
    public static string HistoryOmitted { get; } = Load("history-omitted.md");

    /// <summary>What the system prompt tells the model to answer when the evidence is insufficient.</summary>
    public const string NotFoundReply = "NOT FOUND";

    private static string Load(string name)
    {
        var resource = $"Quarry.Prompting.Resources.{name}";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded prompt {resource} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().TrimEnd();
    }
}
