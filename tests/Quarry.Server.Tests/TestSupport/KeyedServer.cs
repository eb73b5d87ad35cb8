namespace Quarry.Server.Tests.TestSupport;

/// <summary>One server in API-key mode shared by a test class, with an admin, writer and reader key of one tenant.</summary>
public sealed class KeyedServer : IAsyncLifetime
{
    internal ServerProcess Server { get; } = new();
    public string Admin { get; private set; } = "";
    public string Writer { get; private set; } = "";
    public string Reader { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Admin = await Server.CreateKeyAsync("alpha", "admin");
        Writer = await Server.CreateKeyAsync("alpha", "writer");
        Reader = await Server.CreateKeyAsync("alpha", "reader");
        await Server.StartAsync();
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    internal HttpClient Client(string key) => Server.Client(key);
}
