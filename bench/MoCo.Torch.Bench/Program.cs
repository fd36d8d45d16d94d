using System.Diagnostics;
using System.Globalization;
using MoCo.Torch;

// The per-call cost of one tiny operator (two 1-element tensors added), from C# through MoCo.Torch, beside the same
// loop in PyTorch (tiny_op.py) on this machine. Usage: dotnet run -c Release --project bench/MoCo.Torch.Bench [calls]
int calls = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
const int Repeats = 7;
torch.set_num_threads(1);

using var a = torch.ones([1]);
using var b = torch.ones([1]);

double Measure()
{
    var watch = Stopwatch.StartNew();
    for (int k = 0; k < calls; k++)
    {
        using Tensor c = a + b;
    }
    return watch.Elapsed.TotalNanoseconds / calls;
}

Measure(); // warm-up: operator lookup, JIT, allocator
var samples = Enumerable.Range(0, Repeats).Select(_ => Measure()).Order().ToArray();
double ours = samples[Repeats / 2];

string script = Path.Combine(AppContext.BaseDirectory, "tiny_op.py");
var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true };
start.ArgumentList.Add(script);
start.ArgumentList.Add(calls.ToString(CultureInfo.InvariantCulture));
using var python = Process.Start(start)!;
string output = python.StandardOutput.ReadToEnd().Trim();
python.WaitForExit();
double theirs = double.Parse(output, CultureInfo.InvariantCulture);

double floorUnboxed = double.NaN, floorBoxed = double.NaN;
if (args.Length > 1 && File.Exists(args[1]))
{
    var native = new ProcessStartInfo(args[1]) { RedirectStandardOutput = true };
    native.ArgumentList.Add(calls.ToString(CultureInfo.InvariantCulture));
    using var floorProcess = Process.Start(native)!;
    string[] parts = floorProcess.StandardOutput.ReadToEnd().Trim().Split(' ');
    floorProcess.WaitForExit();
    floorUnboxed = double.Parse(parts[0], CultureInfo.InvariantCulture);
    floorBoxed = double.Parse(parts[1], CultureInfo.InvariantCulture);
}

Console.WriteLine($"tiny op (a + b, 1 element), {calls} calls, median of {Repeats}, 1 intra-op thread, libtorch {torch.version}");
Console.WriteLine($"  MoCo.Torch (C#):   {ours,8:F0} ns/call");
Console.WriteLine($"  PyTorch (Python):  {theirs,8:F0} ns/call");
Console.WriteLine($"  ratio C#/PyTorch:  {ours / theirs,8:F2}   (target < 0.50)");
if (!double.IsNaN(floorUnboxed))
{
    Console.WriteLine($"  libtorch from C++, unboxed at::add:     {floorUnboxed,8:F0} ns/call  ({floorUnboxed / theirs:F2} of PyTorch)");
    Console.WriteLine($"  libtorch from C++, boxed via dispatcher: {floorBoxed,8:F0} ns/call  ({floorBoxed / theirs:F2} of PyTorch)");
    Console.WriteLine($"  MoCo.Torch overhead over the boxed floor: {ours - floorBoxed,6:F0} ns/call");
}
