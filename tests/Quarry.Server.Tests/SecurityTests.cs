using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Quarry.Server.Security;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>Limits that hold before authentication, revocation that reaches a running server, response headers.</summary>
public sealed class SecurityTests(SecurityTests.Fixture fixture) : IClassFixture<SecurityTests.Fixture>
{
    private ServerProcess Server => fixture.Server;

    [Fact]
    public async Task A_flood_of_invalid_keys_from_one_address_is_cut_off_before_the_key_lookup_but_valid_keys_pass()
    {
        // From a second loopback address, so that this flood cannot hold back the other tests' requests.
        using var valid = ClientFrom(fixture.Reader);
        (await valid.GetAsync("/v1/knowledge-bases")).StatusCode.Should().Be(HttpStatusCode.OK, "the key is now known valid");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 60; i++)
        {
            using var bogus = ClientFrom("qk_guess-" + i);
            statuses.Add((await bogus.GetAsync("/v1/knowledge-bases")).StatusCode);
        }
        statuses.Count(s => s == HttpStatusCode.Unauthorized).Should().BeInRange(20, 30, "the burst is 20 failures, then 1 per second");
        statuses.Count(s => s == HttpStatusCode.TooManyRequests).Should().BeGreaterThan(25);
        using (var last = ClientFrom("qk_guess-last"))
        {
            var refused = await last.GetAsync("/v1/knowledge-bases");
            await refused.ProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");
            refused.Headers.RetryAfter!.Delta.Should().BeGreaterThan(TimeSpan.Zero);
        }

        (await valid.GetAsync("/v1/knowledge-bases")).StatusCode.Should().Be(HttpStatusCode.OK, "a key known valid is never held back by another client's failures");
        using var elsewhere = Server.Client("qk_from-another-address");
        (await elsewhere.GetAsync("/v1/knowledge-bases")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the limit is per client address");
    }

    private HttpClient ClientFrom(string key)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        };
        var client = new HttpClient(handler) { BaseAddress = Server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    [Fact]
    public async Task A_key_revoked_by_the_cli_stops_working_on_the_running_server_within_seconds()
    {
        var key = await Server.CreateKeyAsync("alpha", "reader");
        using var client = Server.Client(key);
        // Twice, so the lookup is cached for the default 30 s.
        (await client.GetAsync("/v1/knowledge-bases")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/v1/knowledge-bases")).StatusCode.Should().Be(HttpStatusCode.OK);

        var list = await CliProcess.RunAsync(Server.DataDirectory, "keys", "list", "--tenant", "alpha", "--json");
        var id = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray()
            .First(k => key.StartsWith(k.GetProperty("prefix").GetString()!, StringComparison.Ordinal)).GetProperty("id").GetString()!;
        var revoke = await CliProcess.RunAsync(Server.DataDirectory, "keys", "revoke", id, "--tenant", "alpha");
        revoke.ExitCode.Should().Be(0, revoke.ToString());

        var clock = Stopwatch.StartNew();
        while ((await client.GetAsync("/v1/knowledge-bases")).StatusCode == HttpStatusCode.OK)
        {
            clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15), "the server polls the keys version every second; the cache alone would keep the key for 30 s");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Api_and_ui_responses_carry_the_security_headers()
    {
        using var client = Server.Client(fixture.Reader);
        foreach (var path in new[] { "/", "/v1/knowledge-bases", "/v1/no-such-route" })
        {
            var response = await client.GetAsync(path);
            response.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("frame-ancestors 'none'").And.Contain("script-src 'self'");
            response.Headers.GetValues("X-Content-Type-Options").Single().Should().Be("nosniff");
            response.Headers.GetValues("X-Frame-Options").Single().Should().Be("DENY");
            response.Headers.GetValues("Referrer-Policy").Single().Should().Be("no-referrer");
        }
    }

    [Theory]
    [InlineData("POST", "127.0.0.1:5000", null, null, false)]
    [InlineData("POST", "127.0.0.1:5000", "http://127.0.0.1:5000", "same-origin", false)]
    [InlineData("GET", "127.0.0.1:5000", "https://evil.example", "cross-site", false)]
    [InlineData("POST", "127.0.0.1:5000", "https://evil.example", null, true)]
    [InlineData("DELETE", "localhost:5000", null, "cross-site", true)]
    [InlineData("POST", "localhost:5000", "null", null, true)]
    [InlineData("GET", "evil.example:5000", null, null, true)]
    [InlineData("GET", "[::1]:5000", null, null, false)]
    public void Development_mode_refuses_other_origins_and_rebound_host_names(string method, string host, string? origin, string? site, bool refused)
    {
        var request = new DefaultHttpContext().Request;
        request.Method = method;
        request.Scheme = "http";
        request.Host = new HostString(host);
        if (origin is not null) request.Headers.Origin = origin;
        if (site is not null) request.Headers["Sec-Fetch-Site"] = site;

        (DevelopmentRequestGuard.Refusal(request, IPAddress.Loopback) is not null).Should().Be(refused);
    }

    public sealed class Fixture : IAsyncLifetime
    {
        internal ServerProcess Server { get; } = new ServerProcess()
            .With("QUARRY_Server__Limits__FailedAuthenticationBurst", "20")
            .With("QUARRY_Server__Limits__FailedAuthenticationsPerSecond", "1");

        internal string Reader { get; private set; } = "";

        public async Task InitializeAsync()
        {
            Reader = await Server.CreateKeyAsync("alpha", "reader");
            await Server.StartAsync();
        }

        public async Task DisposeAsync() => await Server.DisposeAsync();
    }
}
