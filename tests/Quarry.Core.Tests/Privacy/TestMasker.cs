using System.Text;
using Microsoft.Extensions.Options;
using Quarry.Privacy;

namespace Quarry.Core.Tests.Privacy;

internal static class TestMasker
{
    /// <summary>A masker with the order-number pattern the labelled set uses.</summary>
    public static PrivacyMasker Create(MaskStyle style = MaskStyle.Label, string pseudonymKey = "a-test-pseudonym-key-of-32-characters!!")
    {
        var options = new PrivacyOptions { Style = style, PseudonymKey = pseudonymKey };
        options.Patterns.Add(new CustomPiiPattern { Name = "ORDER", Pattern = @"\bORD-\d{8}\b" });
        return new PrivacyMasker(Options.Create(options), Encoding.UTF8.GetBytes(pseudonymKey));
    }
}
