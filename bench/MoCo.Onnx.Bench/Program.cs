using System.Diagnostics;
using System.Globalization;
using MoCo.Onnx;

// Features per second through our ONNX Runtime binding (OnnxSession.RunInto, no copies) for one model,
// at the given batch sizes and thread count. run.sh prints these beside onnxruntime-node and PyTorch eager.
// Usage: dotnet run -c Release --project bench/MoCo.Onnx.Bench -- model.onnx threads batch[:iterations] ...
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: MoCo.Onnx.Bench model.onnx threads batch[:iterations] ...");
    return 2;
}

var threads = int.Parse(args[1], CultureInfo.InvariantCulture);
using var session = OnnxSession.Open(args[0], new OnnxSessionOptions { IntraOpThreads = threads, InterOpThreads = 1 });
var dims = session.Inputs[0].Shape.Skip(1).ToArray();
var random = new Random(1);
foreach (var spec in args.Skip(2))
{
    var parts = spec.Split(':');
    var batch = int.Parse(parts[0], CultureInfo.InvariantCulture);
    var iterations = parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 10;
    long[] shape = [batch, .. dims];
    var input = new float[shape.Aggregate(1L, (a, d) => a * d)];
    for (var i = 0; i < input.Length; i++)
    {
        input[i] = (float)random.NextDouble();
    }

    var featureDim = session.Outputs[0].Shape.Skip(1).Aggregate(1L, (a, d) => a * d);
    var output = new float[batch * featureDim];
    session.RunInto(input, shape, output); // warm-up: allocations, kernel selection
    var watch = Stopwatch.StartNew();
    for (var i = 0; i < iterations; i++)
    {
        session.RunInto(input, shape, output);
    }

    var perSecond = batch * iterations / watch.Elapsed.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"moco-onnx batch={batch} features/s={perSecond:F2}"));
}

return 0;
