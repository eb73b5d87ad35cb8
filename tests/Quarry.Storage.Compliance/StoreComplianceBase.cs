namespace Quarry.Storage.Compliance;

/// <summary>
/// A fresh, empty store per test. Backends build it with <see cref="Clock"/> as their time source (the job and
/// date-filter tests move it); the store is disposed after the test when it is disposable.
/// </summary>
public abstract class StoreComplianceBase<TStore> : IAsyncLifetime
    where TStore : class
{
    protected ManualClock Clock { get; } = new();

    protected TStore Store { get; private set; } = null!;

    protected static CancellationToken Ct => CancellationToken.None;

    protected abstract Task<TStore> CreateStoreAsync();

    public virtual async Task InitializeAsync() => Store = await CreateStoreAsync();

    public virtual async Task DisposeAsync()
    {
        switch (Store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}
