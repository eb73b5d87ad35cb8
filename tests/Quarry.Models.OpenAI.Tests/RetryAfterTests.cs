namespace Quarry.Models.OpenAI.Tests;

public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Delay_seconds_are_read_as_seconds() =>
        RetryAfter.Parse("7", Now).Should().Be(TimeSpan.FromSeconds(7));

    [Fact]
    public void An_http_date_is_read_relative_to_now() =>
        RetryAfter.Parse("Sat, 01 Mar 2025 12:00:30 GMT", Now).Should().Be(TimeSpan.FromSeconds(30));

    [Fact]
    public void A_date_in_the_past_means_now() =>
        RetryAfter.Parse("Sat, 01 Mar 2025 11:00:00 GMT", Now).Should().Be(TimeSpan.Zero);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-3")]
    public void Anything_else_is_no_hint(string? value) =>
        RetryAfter.Parse(value, Now).Should().BeNull();
}
