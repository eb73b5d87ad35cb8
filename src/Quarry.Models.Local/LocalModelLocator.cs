using Quarry.Models.Local.Hub;
using Quarry.Models.Local.Loading;

namespace Quarry.Models.Local;

/// <summary>Finds the folder of a configured model: an explicit path, or a completed download in the cache.</summary>
internal static class LocalModelLocator
{
    public static ModelReference Reference(LocalModelOptions options) =>
        !string.IsNullOrWhiteSpace(options.ModelPath) ? ModelReference.Local(options.ModelPath) : ModelReference.Parse(options.Model);

    /// <exception cref="ModelFolderException">The folder does not exist or the model was never downloaded.</exception>
    public static ModelFolder Locate(ModelReference reference, ModelCache cache)
    {
        var folder = cache.TryResolve(reference);
        if (folder is not null) return ModelFolder.Open(folder);
        throw new ModelFolderException(reference.IsLocal
            ? $"The model folder {reference.LocalPath} does not exist."
            : $"Model {reference.Name} is not downloaded (expected in {cache.FolderOf(reference)}): run 'quarry models pull {reference.Name}' " +
              "on a machine with internet, or copy a model folder here and point to it with --model-path.");
    }

    /// <summary>"local:" and the model's name: vectors of different models never share an index.</summary>
    public static string ModelId(ModelReference reference) => "local:" + reference.Name;
}
