using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

// The per-call cost of one tiny operator (two 1-element tensors added), from C# through TorchSharp (the training
// engine), beside the same loops in PyTorch (tiny_op.py) on this machine: a new tensor per call (`a + b`, disposed by
// `using`), and in place (`a.add_(b)`). Usage: bench/TorchSharp.Bench/run.sh [calls]
int calls = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
const int Repeats = 7;
set_num_threads(1);

using var a = ones([1]);
using var b = ones([1]);
using var acc = zeros([1]);

double Median(Action<int> loop)
{
    loop(calls); // warm-up: JIT, allocator
    var samples = new double[Repeats];
    for (int r = 0; r < Repeats; r++)
    {
        var watch = Stopwatch.StartNew();
        loop(calls);
        samples[r] = watch.Elapsed.TotalNanoseconds / calls;
    }
    Array.Sort(samples);
    return samples[Repeats / 2];
}

double outOfPlace = Median(n =>
{
    for (int k = 0; k < n; k++)
    {
        using Tensor c = a + b;
    }
});
double inPlace = Median(n =>
{
    for (int k = 0; k < n; k++) acc.add_(b);
});

var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true };
start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tiny_op.py"));
start.ArgumentList.Add(calls.ToString(CultureInfo.InvariantCulture));
using var python = Process.Start(start)!;
double[] theirs = python.StandardOutput.ReadToEnd().Trim().Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
python.WaitForExit();

Console.WriteLine($"tiny op (1 element), {calls} calls, median of {Repeats}, 1 intra-op thread; TorchSharp {typeof(torch).Assembly.GetName().Version} (libtorch {__version__}), PyTorch from /usr/bin/python3");
Console.WriteLine(FormattableString.Invariant($"  a + b     TorchSharp {outOfPlace,7:F0} ns   PyTorch {theirs[0],7:F0} ns   ratio {outOfPlace / theirs[0]:F2}"));
Console.WriteLine(FormattableString.Invariant($"  a.add_(b) TorchSharp {inPlace,7:F0} ns   PyTorch {theirs[1],7:F0} ns   ratio {inPlace / theirs[1]:F2}"));
