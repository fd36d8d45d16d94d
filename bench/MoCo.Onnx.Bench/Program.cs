using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MoCo.Onnx;

// The cost of our wrapper: features per second through MoCo.Onnx's OnnxSession.RunInto and through the official
// package's InferenceSession driven directly (OrtValues over the same pinned buffers, output pre-allocated), and
// through an OrtIoBinding bound once to those buffers (IoBinding's best case: nothing to create per run); same file,
// same ONNX Runtime, same options. run.sh adds PyTorch eager.
// Usage: dotnet run -c Release --project bench/MoCo.Onnx.Bench -- model.onnx threads batch[:iterations] ...
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: MoCo.Onnx.Bench model.onnx threads batch[:iterations] ...");
    return 2;
}

var threads = int.Parse(args[1], CultureInfo.InvariantCulture);
using var session = OnnxSession.Open(args[0], new OnnxSessionOptions { IntraOpThreads = threads, InterOpThreads = 1 });
using var rawOptions = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
using var raw = new InferenceSession(args[0], rawOptions);
using var runOptions = new RunOptions();
string[] inputNames = [raw.InputNames[0]], outputNames = [raw.OutputNames[0]];
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

    var outputShape = session.GetOutputShape(batch);
    var output = new float[outputShape.Aggregate(1L, (a, d) => a * d)];
    var rawOutput = new float[output.Length];

    void Ours() => session.RunInto(input, shape, output);

    void Raw()
    {
        // What OnnxSession does per call, without its checks: two OrtValues over the caller's arrays.
        using var x = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var y = OrtValue.CreateTensorValueFromMemory(rawOutput, outputShape);
        raw.Run(runOptions, inputNames, [x], outputNames, [y]);
    }

    // Bound once; pinned for as long as the binding lives.
    using var boundInput = OrtValue.CreateTensorValueFromMemory(input, shape);
    using var boundOutput = OrtValue.CreateTensorValueFromMemory(new float[output.Length], outputShape);
    using var binding = raw.CreateIoBinding();
    binding.BindInput(inputNames[0], boundInput);
    binding.BindOutput(outputNames[0], boundOutput);

    void Bound() => raw.RunWithBinding(runOptions, binding);

    double Rate(Action run)
    {
        run(); // warm-up: allocations, kernel selection
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            run();
        }

        return batch * iterations / watch.Elapsed.TotalSeconds;
    }

    // Alternate, so both see the same machine state; report each side's best.
    double ours = 0, direct = 0, bound = 0;
    for (var round = 0; round < 2; round++)
    {
        ours = Math.Max(ours, Rate(Ours));
        direct = Math.Max(direct, Rate(Raw));
        bound = Math.Max(bound, Rate(Bound));
    }

    var diff = output.Zip(rawOutput, (a, b) => Math.Abs(a - b)).Max();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"batch={batch} features/s: moco-onnx={ours:F2} inference-session={direct:F2} io-binding={bound:F2}; " +
        $"moco-onnx/inference-session={ours / direct:F3} io-binding/inference-session={bound / direct:F3}; " +
        $"µs/call: moco-onnx={1e6 * batch / ours:F1} inference-session={1e6 * batch / direct:F1} io-binding={1e6 * batch / bound:F1}; max|diff|={diff:G3}"));
}

return 0;
