using System.Collections.Concurrent;
using Quarry.Models.Local.Models;

namespace Quarry.Models.Local.Tests.Models;

public sealed class EmbeddingQueueTests
{
    [Fact]
    public async Task Callers_waiting_behind_a_pass_share_the_next_one_and_each_get_their_own_vectors()
    {
        var model = new GatedModel();
        var queue = new EmbeddingQueue(model);
        var first = queue.EmbedAsync(["a"], CancellationToken.None);
        await model.Entered.WaitAsync(TimeSpan.FromSeconds(30));

        var second = queue.EmbedAsync(["bb", "ccc"], CancellationToken.None);
        var third = queue.EmbedAsync(["dddd"], CancellationToken.None);
        model.Release.Set();

        (await first).Select(v => v[0]).Should().Equal(1);
        (await second).Select(v => v[0]).Should().Equal(2, 3);
        (await third).Select(v => v[0]).Should().Equal(4);
        model.Passes.Should().Equal([1, 3], "the two callers that queued during the first pass share the second");
    }

    [Fact]
    public async Task A_caller_that_gives_up_while_queued_is_left_out_of_the_pass()
    {
        var model = new GatedModel();
        var queue = new EmbeddingQueue(model);
        var first = queue.EmbedAsync(["a"], CancellationToken.None);
        await model.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        using var cancel = new CancellationTokenSource();

        var abandoned = queue.EmbedAsync(["bb"], cancel.Token);
        var kept = queue.EmbedAsync(["ccc"], CancellationToken.None);
        await cancel.CancelAsync();
        model.Release.Set();

        await abandoned.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        (await kept).Select(v => v[0]).Should().Equal(3);
        await first;
        model.Passes.Should().Equal([1, 1]);
    }

    /// <summary>Embeds a text as [its length]; the first pass waits until released.</summary>
    private sealed class GatedModel : ITextEmbeddingModel
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentQueue<int> _passes = new();

        /// <remarks>The model's API is synchronous (a CPU-bound forward pass), so the fake blocks as it would.</remarks>
        public ManualResetEventSlim Release { get; } = new();

        public Task Entered => _entered.Task;

        public IReadOnlyList<int> Passes => [.. _passes];

        public int Dimension => 1;

        public int MaxSequenceLength => 512;

        public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken)
        {
            if (_passes.IsEmpty)
            {
                _entered.SetResult();
                Release.Wait(TimeSpan.FromSeconds(30), cancellationToken);
            }
            _passes.Enqueue(texts.Count);
            return [.. texts.Select(t => new float[] { t.Length })];
        }
    }
}
