using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Quarry.Server.Tests.TestSupport;

namespace Quarry.Server.Tests;

/// <summary>
/// Document access lists through the real server: keys created for users with groups and locally signed tokens
/// (checked against a loopback JWKS endpoint) search, ask, chat and list one knowledge base of open and restricted
/// documents; no response ever names a document the caller may not see.
/// </summary>
public sealed class AccessControlTests : IAsyncLifetime
{
    private const string Audience = "quarry-test";
    private const string Issuer = "https://issuer.test";
    private static readonly string[] Topics = ["salary", "holiday", "router", "pension", "budget", "badge"];

    private readonly ServerProcess _server = new();
    private readonly RsaSecurityKey _signingKey = new(RSA.Create(2048)) { KeyId = "test-key" };
    private Jwks _jwks = null!;
    private HttpClient _admin = null!;
    private readonly Dictionary<string, (HttpClient Client, string? User, string[] Groups)> _callers = [];
    /// <summary>Document id → its access list, as uploaded.</summary>
    private readonly Dictionary<string, string[]> _allow = [];
    private readonly List<string> _order = [];

    public async Task InitializeAsync()
    {
        _jwks = new Jwks(_signingKey);
        _server.With("QUARRY_Auth__Jwt__JwksUrl", new Uri(_jwks.BaseAddress, "jwks.json").ToString())
            .With("QUARRY_Auth__Jwt__Audience", Audience)
            .With("QUARRY_Auth__Jwt__Issuer", Issuer)
            .With("QUARRY_Auth__Jwt__RequireHttpsMetadata", "false");
        var admin = await _server.CreateKeyAsync("alpha", "admin");
        var keys = new List<(string Name, string? User, string[] Groups, string Role)>
        {
            ("alice", "alice", ["hr"], "reader"),
            ("bob", "bob", ["eng", "all-staff"], "reader"),
            ("carol", "carol", [], "writer"),
            ("nogroups", null, [], "reader"),
            ("auditor", null, [], "bypass"),
        };
        var created = new List<(string, string, string?, string[])>();
        foreach (var (name, user, groups, role) in keys)
        {
            var args = new List<string> { "keys", "create", "--tenant", "alpha", "--role", role, "--json" };
            if (user is not null) args.AddRange(["--user", user]);
            foreach (var g in groups) args.AddRange(["--group", g]);
            var result = await CliProcess.RunAsync(_server.DataDirectory, [.. args]);
            result.ExitCode.Should().Be(0, result.ToString());
            using var json = JsonDocument.Parse(result.Stdout);
            created.Add((name, json.RootElement.GetProperty("key").GetString()!, user, groups));
        }
        await _server.StartAsync();
        _admin = _server.Client(admin);
        foreach (var (name, key, user, groups) in created) _callers[name] = (_server.Client(key), user, groups);
        _callers["admin"] = (_admin, null, []);
        // Signed-in users: groups overlap with the key users'.
        _callers["dave-token"] = (TokenClient(Token("dave", ["hr", "eng"])), "dave", ["hr", "eng"]);
        _callers["erin-token"] = (TokenClient(Token("erin", ["all-staff"])), "erin", ["all-staff"]);

        await _admin.CreateKnowledgeBaseAsync("acl");
        string[][] lists = [[], ["group:hr"], ["group:eng"], ["user:alice"], ["group:all-staff", "user:carol"], ["user:nobody-at-all"], ["group:hr", "group:eng"]];
        var jobs = new List<string>();
        for (var i = 0; i < 21; i++)
        {
            var allow = lists[i % lists.Length];
            var text = $"# {Topics[i % Topics.Length]} note {i}\n\nThe {Topics[i % Topics.Length]} policy for team {i} says policy items apply. Code word w{i}x.";
            // Half as JSON ("allow": [...]), half as repeated multipart fields.
            var response = i % 2 == 0
                ? await _admin.PostJsonAsync("/v1/knowledge-bases/acl/documents", new { text, fileName = $"n{i}.md", allow })
                : await _admin.PostAsync("/v1/knowledge-bases/acl/documents", Multipart($"n{i}.md", text, allow));
            var accepted = await response.JsonAsync(HttpStatusCode.Accepted);
            _allow[accepted.GetProperty("documentId").GetString()!] = allow;
            _order.Add(accepted.GetProperty("documentId").GetString()!);
            jobs.Add(accepted.GetProperty("jobId").GetString()!);
        }
        foreach (var job in jobs)
            (await _admin.WaitForJobAsync(job)).GetProperty("status").GetString().Should().Be("succeeded");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _jwks.DisposeAsync();
    }

    private bool MaySee(string caller, string document)
    {
        if (caller is "admin" or "auditor") return true;
        var allow = _allow[document];
        var (_, user, groups) = _callers[caller];
        return allow.Length == 0 || allow.Any(e => e == "user:" + user || groups.Any(g => e == "group:" + g));
    }

    [Fact]
    public async Task Randomized_search_ask_chat_and_listing_never_show_a_document_the_caller_may_not_see()
    {
        var random = new Random(2016);
        var names = _callers.Keys.ToList();
        var seen = 0;
        var cacheHits = 0;
        for (var i = 0; i < 240; i++)
        {
            var caller = names[random.Next(names.Count)];
            var client = _callers[caller].Client;
            var word = random.Next(3) == 0 ? "w" + random.Next(21) + "x" : Topics[random.Next(Topics.Length)] + " policy";
            var response = (i % 4) switch
            {
                0 => await client.PostJsonAsync("/v1/ask", new { question = $"What does the {word} say?", knowledgeBase = "acl" }),
                1 => await client.PostJsonAsync("/v1/chat/completions", new { model = "acl", messages = new[] { new { role = "user", content = $"What about {word}?" } } }),
                2 => await client.GetAsync("/v1/knowledge-bases/acl/documents?limit=100"),
                _ => await client.PostJsonAsync("/v1/search", new { query = word, knowledgeBase = "acl", topK = random.Next(1, 8) }),
            };
            var body = await response.Content.ReadAsStringAsync();
            response.StatusCode.Should().Be(HttpStatusCode.OK, body);
            if (body.Contains("\"hit\":true", StringComparison.Ordinal)) cacheHits++;
            foreach (var document in _allow.Keys.Where(d => body.Contains(d, StringComparison.Ordinal)))
            {
                MaySee(caller, document).Should().BeTrue($"{caller} got {document} ({string.Join(",", _allow[document])}) from request {i}: {body}");
                seen++;
            }
            // Answers quote text: a document's code word in any answer is that document leaking.
            var answered = body.Replace(word, "", StringComparison.Ordinal); // the question is echoed back
            foreach (var n in Enumerable.Range(0, _order.Count).Where(n => answered.Contains($"w{n}x", StringComparison.Ordinal)))
                MaySee(caller, _order[n]).Should().BeTrue($"{caller} got the code word of {_order[n]} from request {i}: {body}");
        }
        seen.Should().BeGreaterThan(200, "the requests must find documents, or the test proves nothing");
        cacheHits.Should().BeGreaterThan(10, "callers repeat each other's questions, so answers come from the cache, which must never cross access scopes");

        // Listing counts only what the caller may see; a restricted document is not found by id either.
        foreach (var caller in names)
        {
            var page = await (await _callers[caller].Client.GetAsync("/v1/knowledge-bases/acl/documents?limit=100")).JsonAsync(HttpStatusCode.OK);
            page.GetProperty("total").GetInt32().Should().Be(_allow.Keys.Count(d => MaySee(caller, d)), caller);
        }
        var hidden = _allow.First(a => a.Value is ["user:nobody-at-all"]).Key;
        await (await _callers["bob"].Client.GetAsync($"/v1/knowledge-bases/acl/documents/{hidden}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        (await _callers["auditor"].Client.GetAsync($"/v1/knowledge-bases/acl/documents/{hidden}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_changed_access_list_applies_at_once_without_reingest_and_is_audited_as_is_bypass_use()
    {
        var open = _allow.First(a => a.Value.Length == 0).Key;
        var code = (await (await _admin.GetAsync($"/v1/knowledge-bases/acl/documents/{open}?include=chunks")).JsonAsync(HttpStatusCode.OK))
            .GetProperty("chunks")[0].GetProperty("text").GetString()!.Split(' ').Last().TrimEnd('.');
        async Task<bool> Finds(string caller) =>
            (await (await _callers[caller].Client.PostJsonAsync("/v1/search", new { query = code, knowledgeBase = "acl" })).Content.ReadAsStringAsync()).Contains(open, StringComparison.Ordinal);
        (await Finds("bob")).Should().BeTrue();

        var patched = await (await _admin.PatchAsJsonAsync($"/v1/knowledge-bases/acl/documents/{open}", new { allow = new[] { "group:hr" } })).JsonAsync(HttpStatusCode.OK);
        patched.GetProperty("allow").EnumerateArray().Select(e => e.GetString()).Should().Equal("group:hr");
        try
        {
            (await Finds("bob")).Should().BeFalse("bob is not in hr");
            (await Finds("alice")).Should().BeTrue();
            (await Finds("auditor")).Should().BeTrue();
            await (await _admin.PatchAsJsonAsync($"/v1/knowledge-bases/acl/documents/{open}", new { allow = new[] { "admins" } })).ProblemAsync(HttpStatusCode.BadRequest, "invalid-request");
            await (await _callers["alice"].Client.PatchAsJsonAsync($"/v1/knowledge-bases/acl/documents/{open}", new { allow = Array.Empty<string>() })).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        finally
        {
            await (await _admin.PatchAsJsonAsync($"/v1/knowledge-bases/acl/documents/{open}", new { allow = Array.Empty<string>() })).JsonAsync(HttpStatusCode.OK);
        }

        var audit = await (await _admin.GetAsync("/v1/audit?limit=500")).Content.ReadAsStringAsync();
        audit.Should().Contain("document.access_changed").And.Contain("access.bypassed");
    }

    [Fact]
    public async Task Signed_tokens_work_beside_keys_and_bad_ones_get_a_clear_401()
    {
        var me = await (await _callers["dave-token"].Client.GetAsync("/v1/me")).JsonAsync(HttpStatusCode.OK);
        me.ToString().Should().Contain("alpha");

        var other = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "test-key" };
        var cases = new (string Token, string Says)[]
        {
            (Token("dave", ["hr"], expires: TimeProvider.System.GetUtcNow().UtcDateTime.AddHours(-1)), "expired"),
            (Token("dave", ["hr"], audience: "someone-else"), "audience"),
            (Token("dave", ["hr"], key: other), "signature"),
            (Token("dave", ["hr"], tenant: null), "'tenant' claim"),
        };
        foreach (var (token, says) in cases)
        {
            var problem = await (await TokenClient(token).GetAsync("/v1/me")).ProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
            problem.GetProperty("detail").GetString().Should().Contain(says);
        }
        // API keys keep working beside tokens.
        (await _callers["alice"].Client.GetAsync("/v1/me")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private string Token(string user, string[] groups, DateTime? expires = null, string? audience = Audience, SecurityKey? key = null, string? tenant = "alpha")
    {
        var claims = new Dictionary<string, object> { ["sub"] = user, ["groups"] = groups };
        if (tenant is not null) claims["tenant"] = tenant;
        var expiry = expires ?? TimeProvider.System.GetUtcNow().UtcDateTime.AddHours(1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            Claims = claims,
            NotBefore = expiry.AddHours(-2),
            IssuedAt = expiry.AddHours(-2),
            Expires = expiry,
            SigningCredentials = new SigningCredentials(key ?? _signingKey, SecurityAlgorithms.RsaSha256),
        });
    }

    private HttpClient TokenClient(string token)
    {
        var client = _server.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static MultipartFormDataContent Multipart(string fileName, string text, string[] allow)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/markdown");
        form.Add(file, "file", fileName);
        foreach (var entry in allow) form.Add(new StringContent(entry), "allow");
        return form;
    }

    /// <summary>The issuer's key set on a loopback port, as an OIDC provider publishes it.</summary>
    private sealed class Jwks(RsaSecurityKey key) : LoopbackHttpServer
    {
        private readonly byte[] _body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            keys = new[]
            {
                new
                {
                    kty = "RSA", use = "sig", alg = "RS256", kid = key.KeyId,
                    n = Base64UrlEncoder.Encode(key.Rsa.ExportParameters(false).Modulus),
                    e = Base64UrlEncoder.Encode(key.Rsa.ExportParameters(false).Exponent),
                },
            },
        });

        protected override async Task HandleAsync(HttpListenerContext context)
        {
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(_body);
        }
    }
}
