using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Quarry.Parsing;

public static class ParsingServiceCollectionExtensions
{
    /// <summary>Registers the document parsers, their options (validated at start-up) and the parser selector.</summary>
    public static IServiceCollection AddQuarryParsing(this IServiceCollection services, Action<ParsingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ParsingOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateDataAnnotations().ValidateOnStart();

        services.TryAddEnumerable([
            ServiceDescriptor.Singleton<IDocumentParser, PlainTextParser>(),
            ServiceDescriptor.Singleton<IDocumentParser, MarkdownParser>(),
            ServiceDescriptor.Singleton<IDocumentParser, HtmlParser>(),
            ServiceDescriptor.Singleton<IDocumentParser, DocxParser>(),
            ServiceDescriptor.Singleton<IDocumentParser, PdfParser>(),
            ServiceDescriptor.Singleton<IDocumentParser, CsvParser>(),
            ServiceDescriptor.Singleton<IDocumentParser, XlsxParser>(),
            ServiceDescriptor.Singleton<IDocumentParser, JsonParser>(),
        ]);
        services.AddQuarryExtraFormats();
        services.TryAddSingleton<DocumentParserSelector>();
        services.TryAddSingleton(sp => new DocumentPreflight(sp.GetRequiredService<DocumentParserSelector>()));
        return services;
    }
}
