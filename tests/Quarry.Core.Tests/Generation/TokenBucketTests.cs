using Quarry.Generation;
using Quarry.Testing;

namespace Quarry.Core.Tests.Generation;

public sealed class TokenBucketTests
{
    [Fact]
    public void A_full_bucket_admits_its_burst_then_refills_at_the_rate()
    {
        var time = new ManualTimeProvider();
        var bucket = new TokenBucket(new ChatRateLimitOptions { RequestsPerMinute = 30, Burst = 3 }, time);

        Enumerable.Range(0, 3).Select(i => bucket.TryTake(out _)).ToList().Should().AllBeEquivalentTo(true);
        bucket.TryTake(out var wait).Should().BeFalse();
        wait.Should().Be(TimeSpan.FromSeconds(2), "30 per minute is one every 2 s");

        time.Advance(TimeSpan.FromSeconds(1.5));
        bucket.TryTake(out wait).Should().BeFalse();
        wait.Should().Be(TimeSpan.FromSeconds(0.5));
        time.Advance(TimeSpan.FromSeconds(0.5));
        bucket.TryTake(out _).Should().BeTrue();
        bucket.TryTake(out _).Should().BeFalse();
    }

    [Fact]
    public void An_idle_bucket_never_holds_more_than_its_burst()
    {
        var time = new ManualTimeProvider();
        var bucket = new TokenBucket(new ChatRateLimitOptions { RequestsPerMinute = 60 }, time);
        for (var i = 0; i < 60; i++)
            bucket.TryTake(out _).Should().BeTrue("the default burst is one minute's worth");
        bucket.TryTake(out _).Should().BeFalse();

        time.Advance(TimeSpan.FromHours(1));

        Enumerable.Range(0, 61).Count(i => bucket.TryTake(out _)).Should().Be(60);
    }
}
