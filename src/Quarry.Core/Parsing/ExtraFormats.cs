using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Quarry.Parsing;

/// <summary>The formats added after the first set (PowerPoint, OCR'd images, source code, email), registered in one place.</summary>
public static class ExtraFormats
{
    internal static IServiceCollection AddQuarryExtraFormats(this IServiceCollection services)
    {
        // The email parser hands attachments back to the selector, which is built from all parsers: resolve it late.
        services.TryAddSingleton(sp => new Lazy<DocumentParserSelector>(sp.GetRequiredService<DocumentParserSelector>));
        services.TryAddEnumerable([
            ServiceDescriptor.Singleton<IDocumentParser, PptxParser>(),
            ServiceDescriptor.Singleton<IDocumentParser, ImageParser>(),
            ServiceDescriptor.Singleton<IDocumentParser, SourceCodeParser>(),
            ServiceDescriptor.Singleton<IDocumentParser, EmailParser>(),
        ]);
        return services;
    }

    /// <summary>The same parsers without a container (tests, tools).</summary>
    internal static IDocumentParser[] Parsers(IOptions<ParsingOptions> options, Lazy<DocumentParserSelector> selector)
    {
        return [new PptxParser(options), new ImageParser(options), new SourceCodeParser(options), new EmailParser(options, selector)];
    }
}
