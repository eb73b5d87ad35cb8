using BenchmarkDotNet.Running;
using Quarry.Benchmarks;

// Harnesses that need every call timed, which BenchmarkDotNet does not report:
// `encoder-speed <model> <texts> [rounds] [threads] [kernel]` and `hybrid-latency [chunks] [rounds]`.
if (args is ["encoder-speed", .. var rest])
{
    EncoderSpeed.Run(rest);
    return 0;
}
if (args is ["hybrid-latency", ..])
    return await HybridLatency.RunAsync(args[1..]);

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
