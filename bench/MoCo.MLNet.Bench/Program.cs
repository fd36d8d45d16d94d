using System.Globalization;
using Microsoft.ML;
using MoCo.MLNet.Bench;
using MoCo.Training.Export;
using MoCo.Training.Models;
using static TorchSharp.torch;

// Issue 9's benchmark: the same exported encoder, the same JPEGs, the same threads, one run:
//   MoCoFeatures end to end, ML.NET's LoadImages → ResizeImages → ExtractPixels → ApplyOnnxModel, DnnFeaturizeImage
//   (ML.NET's own ResNet-18, a reference point), ONNX Runtime alone on a pre-made float batch, and (to see where the
//   time goes) MoCoFeatures' decode and preprocessing alone.
// Usage: export MODEL.onnx                                   (ResNet-18, ImageNet stem, 224, random init, seed 0)
//        run MODEL.onnx JPEG_DIR [threads 2] [batch 32] [rounds 3] [dnn-images 64] [paths ort,ort1,decode,step,core,moco,onnx,mlimg,dnn]
var inv = CultureInfo.InvariantCulture;
if (args.Length == 2 && args[0] == "export")
{
    manual_seed(0);
    using var net = new ResNet(new ResNetOptions { Arch = ResNetArch.ResNet18 });
    net.eval();
    var summary = OnnxExporter.Save(net, args[1], new OnnxExportOptions { InputSize = Setup.Size });
    Console.WriteLine($"{args[1]}: ResNet-18 (ImageNet stem, width 64), {summary.Input} -> {summary.Output}");
    return 0;
}

if (args.Length < 3 || args[0] != "run")
{
    Console.Error.WriteLine("usage: export MODEL.onnx | run MODEL.onnx JPEG_DIR [threads] [batch] [rounds] [dnn-images] [paths]");
    return 2;
}

int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], inv) : fallback;
var files = Directory.GetFiles(args[2], "*.jpg").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
var setup = new Setup(Path.GetFullPath(args[1]), Path.GetFullPath(args[2]), files!, Threads: Arg(3, 2), BatchSize: Arg(4, 32), DnnImages: Arg(6, 64));
var rounds = Arg(5, 3);
var selected = (args.Length > 7 ? args[7] : "ort,ort1,decode,step,core,moco,onnx,mlimg,dnn").Split(',');
var ml = new MLContext(seed: 0);
var paths = new (string key, string name, Func<Rate> run)[]
{
    ("ort", $"ORT alone (MoCo.Onnx RunInto, pre-made float batch of {setup.BatchSize})", () => Paths.OrtAlone(setup, setup.BatchSize)),
    ("ort1", "ORT alone, batch 1 (what ApplyOnnxModel runs)", () => Paths.OrtAlone(setup, 1)),
    ("decode", "MoCoFeatures' decode + Resize + CenterCrop only (no ORT)", () => Paths.DecodeOnly(setup)),
    ("step", "ORT alone on MoCoFeatures' step graph (uint8 crops, normalisation inside)", () => CorePaths.StepGraph(setup)),
    ("core", "MoCoFeatures' batched core without the IDataView (decode, then ORT, per batch)", () => CorePaths.Batched(setup)),
    ("moco", "MoCoFeatures end to end (path column)", () => Paths.MoCoFeatures(ml, setup, setup.Threads, setup.Threads)),
    ("onnx", "LoadImages → ResizeImages → ExtractPixels → ApplyOnnxModel", () => Paths.ApplyOnnxModel(ml, setup)),
    ("mlimg", "LoadImages → ResizeImages → ExtractPixels only (no model)", () => Paths.MLNetImagesOnly(ml, setup)),
    ("dnn", $"DnnFeaturizeImage ResNet18 (own model; {Math.Min(setup.DnnImages, files.Length)} images)", () => Paths.DnnFeaturizeImage(ml, setup)),
}.Where(p => selected.Contains(p.key)).Concat(selected.Where(k => k.StartsWith("moco:", StringComparison.Ordinal)).Select(Variant)).ToArray();

Console.WriteLine($"{files.Length} JPEGs in {setup.ImageFolder}; model {setup.ModelPath}; threads {setup.Threads} " +
                  $"(decode and ORT intra-op; inter-op 1); batch {setup.BatchSize}; {rounds} rounds; load {LoadAverage()}");
var rates = paths.ToDictionary(p => p.key, _ => new List<double>());
var cpu = paths.ToDictionary(p => p.key, _ => new List<double>());
for (var round = 1; round <= rounds; round++)
{
    foreach (var (key, name, run) in paths)
    {
        var rate = run();
        rates[key].Add(rate.PerSecond);
        cpu[key].Add(rate.CpuMsPerImage);
        Console.WriteLine(FormattableString.Invariant($"round {round}  {rate.PerSecond,8:F1} images/s  {rate.CpuMsPerImage,7:F1} CPU ms/image  {name}"));
    }
}

Console.WriteLine($"load {LoadAverage()}");
Console.WriteLine("path: median (min–max) images/s; median CPU ms/image");
foreach (var (key, name, _) in paths)
{
    var r = rates[key];
    Console.WriteLine(FormattableString.Invariant($"{key,-7} {Median(r),8:F1} ({r.Min():F1}–{r.Max():F1})  {Median(cpu[key]),7:F1} ms  {name}"));
}

if (rates.TryGetValue("moco", out var moco))
{
    foreach (var other in new[] { "onnx", "ort", "dnn" }.Where(rates.ContainsKey))
    {
        Console.WriteLine(FormattableString.Invariant(
            $"moco / {other}: {Median(moco) / Median(rates[other]):F2} images/s (median over median); {Median(cpu[other]) / Median(cpu["moco"]):F2} by CPU time per image"));
    }
}

if (rates.TryGetValue("ort", out var ort) && rates.TryGetValue("decode", out var decode))
{
    // Decode then ORT, one after the other, each with all threads: what a pipeline without overlap can reach.
    Console.WriteLine(FormattableString.Invariant($"decode then ORT in sequence: {1 / ((1 / Median(ort)) + (1 / Median(decode))):F1} images/s"));
}

if (rates.TryGetValue("ort1", out var ort1) && rates.TryGetValue("mlimg", out var mlimg))
{
    Console.WriteLine(FormattableString.Invariant($"ML.NET images then ORT batch 1 in sequence: {1 / ((1 / Median(ort1)) + (1 / Median(mlimg))):F1} images/s"));
}

return 0;

// "moco:D:I": MoCoFeatures with D decode threads and I ORT intra-op threads (to see how the two share the cores).
(string key, string name, Func<Rate> run) Variant(string key)
{
    var parts = key.Split(':');
    int d = int.Parse(parts[1], inv), i = int.Parse(parts[2], inv);
    return (key, $"MoCoFeatures, {d} decode thread(s), {i} ORT intra-op thread(s)", () => Paths.MoCoFeatures(ml, setup, d, i));
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
