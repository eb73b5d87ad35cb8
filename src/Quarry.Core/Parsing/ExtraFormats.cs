using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Quarry.Parsing;

/// <summary>The formats added after the first set (PowerPoint, OCR'd images, source code, email), registered in one place.</summary>
public static class ExtraFormats
{
    internal static IServiceCollection AddQuarryExtraFormats(this IServiceCollection services)
    {
        services.TryAddEnumerable([
            ServiceDescriptor.Singleton<IDocumentParser, PptxParser>(),
            ServiceDescriptor.Singleton<IDocumentParser, ImageParser>(),
            ServiceDescriptor.Singleton<IDocumentParser, SourceCodeParser>(),
        ]);
        return services;
    }

    /// <summary>The same parsers without a container (tests, tools).</summary>
    internal static IDocumentParser[] Parsers(IOptions<ParsingOptions> options)
    {
        return [new PptxParser(options), new ImageParser(options), new SourceCodeParser(options)];
    }
}
