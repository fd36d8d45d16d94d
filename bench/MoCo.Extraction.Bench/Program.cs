using System.Diagnostics;
using System.Globalization;
using MoCo.Extraction;
using MoCo.Onnx;
using MoCo.Training.Export;
using MoCo.Training.Models;
using SkiaSharp;
using static TorchSharp.torch;

// End-to-end `moco extract` throughput against pure inference of the same model at the same batch size and threads.
// Pure inference: ONNX Runtime on the exported encoder, float NCHW batches already in memory (no decoding, no
// preprocessing, no writing). End to end: ExtractionJob on JPEG files (decode, resize, crop, ORT, Parquet, manifest),
// images/s over the job's own clock (after the model is loaded) and over the whole call.
// Usage: run.sh [threads] [images] [batch] [resnet18|resnet50]; run.sh store-read [rows] [dim] [format]: StoreReadBench.
if (args.Length > 0 && args[0] == "store-read")
{
    StoreReadBench.Run(args[1..]);
    return;
}

int threads = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2;
int count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 512;
int batch = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 32;
var arch = args.Length > 3 ? args[3] : "resnet50";
var dir = Directory.CreateTempSubdirectory("moco-extract-bench-").FullName;
try
{
    manual_seed(0);
    using var net = new ResNet(new ResNetOptions { Arch = arch == "resnet18" ? ResNetArch.ResNet18 : ResNetArch.ResNet50 });
    net.eval();
    var model = Path.Combine(dir, "encoder.onnx");
    File.WriteAllBytes(model, OnnxExporter.ToBytes(net, new OnnxExportOptions
        { InputSize = 224, Resize = 256, Mean = [0.485, 0.456, 0.406], Std = [0.229, 0.224, 0.225] }));

    // Photo-sized JPEGs (500 x 375, quality 90): smooth colour fields plus noise.
    var images = Path.Combine(dir, "images");
    Directory.CreateDirectory(images);
    var rng = new Random(1);
    for (int i = 0; i < count; i++)
    {
        using var bitmap = new SKBitmap(500, 375, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var pixels = new byte[500 * 375 * 4];
        double phase = rng.NextDouble() * 6;
        for (int p = 0; p < 500 * 375; p++)
        {
            int x = p % 500, y = p / 500;
            for (int c = 0; c < 3; c++)
                pixels[(4 * p) + c] = (byte)Math.Clamp(128 + (90 * Math.Sin((0.02 * x) + (0.03 * y) + phase + (2 * c))) + rng.Next(-20, 21), 0, 255);
            pixels[(4 * p) + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        File.WriteAllBytes(Path.Combine(images, $"{i:D5}.jpg"), data.ToArray());
    }

    // CPU time per image as well as wall-clock rates: on a shared machine the rates follow the load, the CPU cost less so.
    static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    // Pure inference: best of 3 rounds over the same number of images.
    double pure, pureCpu;
    using (var session = OnnxSession.Open(model, new OnnxSessionOptions { IntraOpThreads = threads }))
    {
        var input = new float[batch * 3 * 224 * 224];
        var random = new Random(2);
        for (int i = 0; i < input.Length; i++) input[i] = (float)random.NextDouble();
        var output = new float[batch * net.FeatureDim];
        long[] shape = [batch, 3, 224, 224];
        session.RunInto(input, shape, output);
        var rounds = new List<double>();
        int calls = Math.Max(1, count / batch);
        double cpuStart = CpuSeconds();
        for (int round = 0; round < 3; round++)
        {
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < calls; i++) session.RunInto(input, shape, output);
            rounds.Add(calls * batch / watch.Elapsed.TotalSeconds);
        }
        pure = rounds.Max();
        pureCpu = (CpuSeconds() - cpuStart) / (3.0 * calls * batch);
    }

    // End to end: best of 2 runs, each into a new store.
    // CPU time of the job proper: from its first progress report (model loaded, session made) to its end.
    var job = new List<(double Job, double Call)>();
    double jobCpuTotal = 0;
    for (int run = 0; run < 2; run++)
    {
        var watch = Stopwatch.StartNew();
        double? cpuAtStart = null;
        var summary = ExtractionJob.Run(
            new ExtractionOptions { ModelPath = model, Data = images, Out = Path.Combine(dir, $"store{run}"), BatchSize = batch, Threads = threads },
            _ => cpuAtStart ??= CpuSeconds());
        jobCpuTotal += CpuSeconds() - cpuAtStart!.Value;
        if (summary.Extracted != count) throw new InvalidOperationException($"extracted {summary.Extracted} of {count}");
        job.Add((summary.ImagesPerSecond, count / watch.Elapsed.TotalSeconds));
    }
    double jobCpu = jobCpuTotal / (2.0 * count);
    var best = job.MaxBy(j => j.Job);
    Console.WriteLine(FormattableString.Invariant(
        $"{arch} at 224, batch {batch}, {threads} thread(s), {count} JPEGs 500x375: pure inference {pure:F1} images/s"));
    Console.WriteLine(FormattableString.Invariant(
        $"moco extract {best.Job:F1} images/s ({best.Job / pure * 100:F0}% of pure); {best.Call:F1} images/s counting model load and store set-up ({best.Call / pure * 100:F0}%)"));
    Console.WriteLine(FormattableString.Invariant(
        $"CPU time per image: pure inference {pureCpu * 1000:F1} ms, moco extract {jobCpu * 1000:F1} ms (after set-up); pure/extract {pureCpu / jobCpu * 100:F0}%"));
}
finally
{
    Directory.Delete(dir, recursive: true);
}
