using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Quarry.Tokenization;

public static class TokenizationServiceCollectionExtensions
{
    /// <summary>
    /// Registers the default <see cref="ITokenCounter"/> (bert-base-uncased WordPiece) unless one is already registered,
    /// so a host that uses another model family registers its own counter first.
    /// </summary>
    public static IServiceCollection AddQuarryTokenization(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<ITokenCounter>(_ => BertWordPieceTokenizer.Default);
        return services;
    }
}
