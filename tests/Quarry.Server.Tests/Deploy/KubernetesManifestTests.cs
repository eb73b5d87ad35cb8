using System.Globalization;
using System.Text.Json.Nodes;

namespace Quarry.Server.Tests.Deploy;

/// <summary>Renders each kustomize overlay with <c>kubectl kustomize</c> (no cluster needed) and checks, on the
/// rendered objects, what a production deployment of Quarry relies on.</summary>
public sealed class KubernetesManifestTests
{
    private const string Install = "install kubectl, which has kustomize built in";

    [ToolFact("kubectl", Install)]
    public Task Dev_overlay_renders_a_complete_hardened_deployment() => CheckOverlayAsync("dev");

    [ToolFact("kubectl", Install)]
    public Task Prod_overlay_renders_a_complete_hardened_deployment() => CheckOverlayAsync("prod");

    private static async Task CheckOverlayAsync(string overlay)
    {
        var (code, yaml, errors) = await DeployFiles.RunAsync(DeployFiles.Tool("kubectl")!, "kustomize", DeployFiles.Path("kubernetes", "overlays", overlay));
        code.Should().Be(0, errors);
        var objects = DeployFiles.ParseYamlStream(yaml);
        JsonNode Single(string kind, string name) =>
            objects.Should().ContainSingle(o => Str(o["kind"]) == kind && Str(o["metadata"]!["name"]) == name, $"{kind}/{name} in the {overlay} overlay").Subject;

        objects.Should().OnlyContain(o => Str(o["kind"]) == "Namespace" || Str(o["metadata"]!["namespace"]) != null, "everything lands in the overlay's namespace");
        var config = Single("ConfigMap", "quarry-config")["data"]!;
        var shutdown = TimeSpan.Parse(Str(config["QUARRY_Server__Shutdown__Timeout"])!, CultureInfo.InvariantCulture);
        Str(config["QUARRY_Storage__Provider"]).Should().Be("postgres");

        foreach (var (name, role) in new[] { ("quarry-api", "api"), ("quarry-worker", "worker") })
        {
            var deployment = Single("Deployment", name);
            var labels = deployment["spec"]!["selector"]!["matchLabels"]!.AsObject();
            var pod = deployment["spec"]!["template"]!["spec"]!;
            Int(pod["terminationGracePeriodSeconds"]).Should().BeGreaterThan((int)shutdown.TotalSeconds, "the server must finish draining before SIGKILL");
            Str(pod["securityContext"]!["runAsNonRoot"]).Should().Be("true");
            Str(pod["securityContext"]!["seccompProfile"]!["type"]).Should().Be("RuntimeDefault");
            Str(pod["automountServiceAccountToken"]).Should().Be("false");
            pod["topologySpreadConstraints"]!.AsArray().Should().NotBeEmpty()
                .And.OnlyContain(c => SameLabels(c!["labelSelector"]!["matchLabels"]!.AsObject(), labels));

            var main = pod["containers"]!.AsArray().Single()!;
            Args(main).Should().StartWith(new[] { "serve", "--role", role });
            Str(main["readinessProbe"]!["httpGet"]!["path"]).Should().Be("/readyz");
            Str(main["livenessProbe"]!["httpGet"]!["path"]).Should().Be("/healthz");
            main["startupProbe"]!["httpGet"].Should().NotBeNull();
            var migrate = pod["initContainers"]!.AsArray().Single()!;
            Args(migrate).Should().Equal("migrate");
            Str(migrate["image"]).Should().Be(Str(main["image"]), "migrations come from the same build");
            Str(main["image"]).Should().NotEndWith(":latest").And.NotBe("quarry", "the overlay sets the image");

            foreach (var container in new[] { main, migrate })
            {
                var security = container["securityContext"]!;
                Str(security["readOnlyRootFilesystem"]).Should().Be("true");
                Str(security["allowPrivilegeEscalation"]).Should().Be("false");
                security["capabilities"]!["drop"]!.AsArray().Select(Str).Should().Contain("ALL");
                foreach (var resource in new[] { "cpu", "memory" })
                {
                    container["resources"]!["requests"]![resource].Should().NotBeNull();
                    container["resources"]!["limits"]![resource].Should().NotBeNull();
                }
                container["envFrom"]!.AsArray().Select(e => Str(e!["configMapRef"]?["name"])).Should().Contain("quarry-config");
                // Secrets are files on a Secret volume, read through QUARRY_..._FILE, never plain environment values.
                var secretFile = container["env"]!.AsArray().Single(e => Str(e!["name"]) == "QUARRY_Storage__Postgres__ConnectionString_FILE")!;
                var mount = container["volumeMounts"]!.AsArray().Single(m => Str(secretFile["value"])!.StartsWith(Str(m!["mountPath"])! + "/", StringComparison.Ordinal))!;
                var volume = pod["volumes"]!.AsArray().Single(v => Str(v!["name"]) == Str(mount["name"]))!;
                Str(volume["secret"]!["secretName"]).Should().Be("quarry-secrets");
                container["volumeMounts"]!.AsArray().Select(m => Str(m!["mountPath"])).Should().Contain(new[] { "/data", "/tmp" }, "the root filesystem is read-only");
            }

            var pdb = Single("PodDisruptionBudget", name);
            SameLabels(pdb["spec"]!["selector"]!["matchLabels"]!.AsObject(), labels).Should().BeTrue();
            var hpa = Single("HorizontalPodAutoscaler", name);
            Str(hpa["spec"]!["scaleTargetRef"]!["name"]).Should().Be(name);
            Utilization(hpa, "cpu").Should().Be(70);
            if (role == "api") Utilization(hpa, "memory").Should().Be(80);
        }

        var service = Single("Service", "quarry-api");
        var ingress = Single("Ingress", "quarry");
        Str(ingress["spec"]!["rules"]![0]!["http"]!["paths"]![0]!["backend"]!["service"]!["name"]).Should().Be("quarry-api");
        var monitor = Single("ServiceMonitor", "quarry");
        Str(monitor["spec"]!["endpoints"]![0]!["path"]).Should().Be("/metrics");
        var monitored = monitor["spec"]!["selector"]!["matchLabels"]!.AsObject();
        foreach (var name in new[] { "quarry-api", "quarry-worker" })
            Covers(Single("Service", name)["metadata"]!["labels"]!.AsObject(), monitored).Should().BeTrue($"the ServiceMonitor scrapes {name}");
        Str(service["spec"]!["ports"]![0]!["name"]).Should().Be(Str(monitor["spec"]!["endpoints"]![0]!["port"]));
        var policy = Single("NetworkPolicy", "quarry");
        policy["spec"]!["policyTypes"]!.AsArray().Select(Str).Should().BeEquivalentTo(new[] { "Ingress", "Egress" });

        var secrets = objects.Where(o => Str(o["kind"]) == "Secret").ToList();
        if (overlay == "prod") secrets.Should().BeEmpty("production secrets are created out of band, never committed");
        else secrets.Should().ContainSingle(s => Str(s["metadata"]!["name"]) == "quarry-secrets").Which["data"]!["postgres-connection-string"].Should().NotBeNull();
    }

    private static string? Str(JsonNode? node) => node?.GetValue<string>();
    private static int Int(JsonNode? node) => int.Parse(Str(node)!, CultureInfo.InvariantCulture);
    private static List<string?> Args(JsonNode container) => container["args"]!.AsArray().Select(Str).ToList();

    private static int Utilization(JsonNode hpa, string resource) =>
        Int(hpa["spec"]!["metrics"]!.AsArray().Single(m => Str(m!["resource"]?["name"]) == resource)!["resource"]!["target"]!["averageUtilization"]);

    private static bool SameLabels(JsonObject a, JsonObject b) => Covers(a, b) && Covers(b, a);

    private static bool Covers(JsonObject labels, JsonObject selector) => selector.All(p => Str(labels[p.Key]) == Str(p.Value));
}
