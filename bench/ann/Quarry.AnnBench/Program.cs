using System.Diagnostics;
using System.Globalization;
using Quarry.AnnBench;

// dotnet run -c Release --project bench/ann/Quarry.AnnBench -- compare   --n 100000 --dim 384 --queries 500 --data /tmp/ann
// dotnet run -c Release --project bench/ann/Quarry.AnnBench -- crossover --sizes 5000,10000,20000,50000,100000 --dim 384 --limit 100
var command = args.Length > 0 ? args[0] : "compare";
var options = Args.Parse(args.Skip(1));
var n = options.Int("n", 100_000);
var dim = options.Int("dim", 384);
var queries = options.Int("queries", 500);
var seed = options.Int("seed", 1);
var threads = Environment.ProcessorCount;
Console.WriteLine($"# {command}: cores {threads}, load {Load.Average()}, {TimeProvider.System.GetUtcNow():u}");

switch (command)
{
    case "compare":
    {
        var dir = options.String("data", Path.Combine(Path.GetTempPath(), "quarry-ann"));
        var efs = options.String("ef", "16,32,64,128").Split(',').Select(int.Parse).ToArray();
        var data = SyntheticVectors.LoadOrCreate(dir, n, dim, queries, seed);
        await Comparison.RunAsync(data, dir, efs, options.Int("m", 16), options.Int("ef-construction", 100));
        break;
    }
    case "crossover":
    {
        var sizes = options.String("sizes", "5000,10000,20000,50000,100000").Split(',').Select(int.Parse).ToArray();
        await Crossover.RunAsync(sizes, dim, queries, seed, options.Int("limit", 100));
        break;
    }
    default:
        Console.Error.WriteLine("usage: compare|crossover [--n N] [--dim D] [--queries Q] [--data DIR] [--ef 16,32,64] [--sizes a,b,c] [--limit K]");
        return 2;
}
return 0;

namespace Quarry.AnnBench
{
    internal sealed class Args(Dictionary<string, string> values)
    {
        public static Args Parse(IEnumerable<string> args)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            string? key = null;
            foreach (var arg in args)
            {
                if (arg.StartsWith("--", StringComparison.Ordinal)) key = arg[2..];
                else if (key is not null) { values[key] = arg; key = null; }
            }
            return new Args(values);
        }

        public int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        public string String(string name, string fallback) => values.GetValueOrDefault(name, fallback);
    }

    internal static class Load
    {
        public static string Average() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
    }

    /// <summary>CPU time of this process, not wall time: the machine is shared, and a descheduled thread costs wall
    /// time only. Searches and graph builds are single-threaded, so CPU time is their cost.</summary>
    internal static class Timing
    {
        public static double Milliseconds(Action action)
        {
            var start = Cpu();
            action();
            return (Cpu() - start).TotalMilliseconds;
        }

        public static TimeSpan Cpu()
        {
            using var process = Process.GetCurrentProcess();
            return process.TotalProcessorTime;
        }
    }
}
