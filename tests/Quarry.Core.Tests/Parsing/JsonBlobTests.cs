using Quarry.Parsing;

namespace Quarry.Core.Tests.Parsing;

public sealed class JsonBlobTests
{
    [Fact]
    public void Data_uris_and_base64_payloads_become_placeholders()
    {
        var base64 = Convert.ToBase64String(new byte[3000]);
        JsonParser.Text("data:image/png;base64," + base64).Should().Be("(embedded image/png data omitted)");
        JsonParser.Text(base64).Should().StartWith("(binary data omitted");
    }

    [Theory]
    [InlineData("A short value")]
    [InlineData("data:text/plain,hello")]
    public void Ordinary_text_is_kept(string value) => JsonParser.Text(value).Should().Be(value);

    [Fact]
    public void Long_prose_is_kept() =>
        JsonParser.Text(string.Join(' ', Enumerable.Repeat("words with spaces", 40))).Should().Contain("words with spaces");
}
