using Microsoft.Extensions.Logging.Abstractions;
using Quarry.Caching;

namespace Quarry.Core.Tests.Caching;

public sealed class GuardedCacheStoreTests
{
    private sealed class SteppedClock : TimeProvider
    {
        public long Ticks { get; set; }
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Ticks;
    }

    private sealed class FlakyStore : IAnswerCacheStore
    {
        public bool Down { get; set; }
        public bool Hang { get; set; }
        public int Calls { get; private set; }
        public string Name => "flaky";

        public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
        {
            Calls++;
            if (Hang) await Task.Delay(Timeout.Infinite, CancellationToken.None);
            if (Down) throw new IOException("connection refused");
            return [1];
        }

        public Task SetAsync(string key, byte[] value, TimeSpan timeToLive, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static readonly AnswerCacheOptions Options = new() { L2FailuresToBreak = 2, L2BreakDuration = TimeSpan.FromSeconds(10), L2Timeout = TimeSpan.FromMilliseconds(50) };

    [Fact]
    public async Task Failures_open_the_circuit_and_a_probe_after_the_break_closes_it()
    {
        var clock = new SteppedClock();
        var store = new FlakyStore { Down = true };
        var guarded = new GuardedCacheStore(store, Options, clock, NullLogger.Instance);

        (await guarded.GetAsync("k", default)).Should().BeNull("a failing layer reads as a miss");
        (await guarded.GetAsync("k", default)).Should().BeNull();
        store.Calls.Should().Be(2);
        (await guarded.GetAsync("k", default)).Should().BeNull();
        store.Calls.Should().Be(2, "the open circuit skips the layer");

        store.Down = false;
        clock.Ticks += TimeSpan.FromSeconds(11).Ticks;
        (await guarded.GetAsync("k", default)).Should().Equal([1]);
        (await guarded.GetAsync("k", default)).Should().Equal([1]);
        store.Calls.Should().Be(4);
    }

    [Fact]
    public async Task A_layer_that_never_answers_is_cut_at_the_timeout()
    {
        var store = new FlakyStore { Hang = true };
        var guarded = new GuardedCacheStore(store, Options, new SteppedClock(), NullLogger.Instance);
        (await guarded.GetAsync("k", default)).Should().BeNull();
    }

    [Fact]
    public void Unreadable_entries_read_as_misses()
    {
        CachedAnswer.TryDeserialize("not json"u8.ToArray()).Should().BeNull();
        CachedAnswer.TryDeserialize("{\"question\":\"q\"}"u8.ToArray()).Should().BeNull();
        var entry = new CachedAnswer(5, "q", new Quarry.Answering.Answer
        {
            Text = "Taxis: 40 euros [1].", Citations = [new Quarry.Answering.Citation(1, "d", "c", "t", "s", "u", null, 0, 5, "Taxis")],
            Grounded = true, Abstained = false, Model = "extractive",
        }, null);
        CachedAnswer.TryDeserialize(entry.Serialize())!.Answer.Citations.Should().ContainSingle().Which.Quote.Should().Be("Taxis");
    }
}
