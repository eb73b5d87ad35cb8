using System.Text.Json;

namespace Quarry.Models.Local.Tests.TestSupport;

/// <summary>The committed model folders and PyTorch outputs (scripts/fixtures/make_bert_fixtures.py).</summary>
internal static class Fixtures
{
    public static string Path(params string[] parts) => System.IO.Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    public static JsonElement Expected(string model) => ReadJson(model, "expected.json");

    public static JsonElement ReadJson(params string[] parts)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path(parts)));
        return json.RootElement.Clone();
    }

    public static int[] Ints(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt32())];

    public static float[] Floats(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetSingle())];

    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }
}
