using BenchmarkDotNet.Running;
using Quarry.Benchmarks;

if (args is ["encoder-speed", .. var rest]) EncoderSpeed.Run(rest);
else BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
