using BenchmarkDotNet.Running;
using Quarry.Benchmarks;

// Percentiles need every query timed, which BenchmarkDotNet does not report: `hybrid-latency [chunks] [rounds]`.
if (args is ["hybrid-latency", ..])
    return await HybridLatency.RunAsync(args[1..]);

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
