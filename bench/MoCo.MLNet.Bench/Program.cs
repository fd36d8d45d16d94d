using System.Globalization;
using Microsoft.ML;
using MoCo.MLNet;
using MoCo.MLNet.Bench;
using MoCo.MLNet.Runtime;
using MoCo.Training.Export;
using MoCo.Training.Models;
using static TorchSharp.torch;

// Issue 9's benchmark, extended by issue 23: the same exported encoder, the same image files, the same threads, one
// run, every ratio taken against ONNX Runtime alone on pre-made float batches (ort):
//   MoCoFeatures end to end (moco), the public featurizer's stream without the IDataView (feat), the batched core with no
//   overlap (core), ML.NET's LoadImages → ResizeImages → ExtractPixels → ApplyOnnxModel (onnx), DnnFeaturizeImage (dnn,
//   ML.NET's own ResNet-18, a reference point), and (to see where the time goes) the decode and preprocessing alone.
// Usage: export MODEL.onnx            ResNet-18, ImageNet stem, 224, RGB, random init, seed 0
//        export-fmnist MODEL.onnx     ResNet-18 width 16, 3x3 stem, 28, gray (the Fashion-MNIST encoder), seed 0
//        pngs DIR COUNT               COUNT 28x28 gray PNGs: Fashion-MNIST's test images (Debian's dataset-fashion-mnist)
//        run MODEL.onnx IMAGE_DIR [threads 2] [batch 32] [rounds 3] [dnn-images 64] [paths ort,ort1,decode,step,core,feat,feat:overlap,feat:inline,moco,moco:overlap,onnx,mlimg,dnn]
//        (paths also take moco:D:I, moco:D:I:spin — D decode threads, I ORT intra-op threads, spin: ORT's spin-waiting on — and feat:spin)
var inv = CultureInfo.InvariantCulture;
if (args.Length == 2 && args[0] is "export" or "export-fmnist")
{
    manual_seed(0);
    var fmnist = args[0] == "export-fmnist";
    using var net = new ResNet(fmnist
        ? new ResNetOptions { Arch = ResNetArch.ResNet18, Width = 16, SmallImages = true, InChannels = 1 }
        : new ResNetOptions { Arch = ResNetArch.ResNet18 });
    net.eval();
    var export = fmnist ? new OnnxExportOptions { InputSize = 28, Resize = 28, Mean = [0.286], Std = [0.353] } : new OnnxExportOptions { InputSize = 224 };
    var summary = OnnxExporter.Save(net, args[1], export);
    Console.WriteLine($"{args[1]}: ResNet-18 ({(fmnist ? "3x3 stem, width 16, gray 28" : "ImageNet stem, width 64, RGB 224")}), {summary.Input} -> {summary.Output}");
    return 0;
}

if (args.Length == 3 && args[0] == "pngs")
{
    var count = int.Parse(args[2], inv);
    var written = FashionMnistPngs.Write(args[1], count);
    Console.WriteLine($"{args[1]}: {written} PNGs 28x28 gray (Fashion-MNIST test images)");
    return 0;
}

if (args.Length < 3 || args[0] != "run")
{
    Console.Error.WriteLine("usage: export MODEL.onnx | export-fmnist MODEL.onnx | pngs DIR COUNT | run MODEL.onnx IMAGE_DIR [threads] [batch] [rounds] [dnn-images] [paths]");
    return 2;
}

int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], inv) : fallback;
var files = Directory.GetFiles(args[2]).Where(f => f.EndsWith(".jpg", StringComparison.Ordinal) || f.EndsWith(".png", StringComparison.Ordinal))
    .Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
MoCoPreprocessing preprocessing;
using (var probe = MoCoFeaturizer.Open(args[1]))
{
    preprocessing = probe.Preprocessing;
}

var setup = new Setup(Path.GetFullPath(args[1]), Path.GetFullPath(args[2]), files!, Threads: Arg(3, 2), BatchSize: Arg(4, 32), DnnImages: Arg(6, 64), preprocessing);
var rounds = Arg(5, 3);
var selected = (args.Length > 7 ? args[7] : "ort,ort1,decode,step,core,feat,moco,onnx,mlimg,dnn").Split(',');
var ml = new MLContext(seed: 0);
var paths = new (string key, string name, Func<Rate> run)[]
{
    ("ort", $"ORT alone (MoCo.Onnx RunInto, bare encoder, pre-made float batch of {setup.BatchSize})", () => Paths.OrtAlone(setup, setup.BatchSize)),
    ("ort:nospin", "ORT alone as ort, spin-waiting off (as MoCoFeatures runs it)", () => Paths.OrtAlone(setup, setup.BatchSize, spinning: false)),
    ("ort1", "ORT alone, batch 1 (what ApplyOnnxModel runs)", () => Paths.OrtAlone(setup, 1)),
    ("decode", "MoCoFeatures' decode + Resize + CenterCrop only (no ORT)", () => Paths.DecodeOnly(setup)),
    ("step", "ORT alone on MoCoFeatures' step graph (uint8 crops, normalisation inside)", () => CorePaths.StepGraph(setup)),
    ("core", "the batched core, no overlap, no IDataView (decode a batch, then ORT on it)", () => CorePaths.Sequential(setup)),
    ("feat", "MoCoFeaturizer.FeaturizeAll on paths (read-ahead, decode overlapping ORT; no IDataView)", () => CorePaths.Streaming(setup)),
    ("feat:spin", "the same with ORT's spin-waiting on", () => CorePaths.Streaming(setup, spinning: true)),
    ("feat:overlap", "feat with decoding always beside ORT (the read-ahead before the placement rule)", () => CorePaths.Streaming(setup, placement: DecodePlacementMode.Overlap)),
    ("feat:inline", "feat with decoding always on the infer thread, just before ORT", () => CorePaths.Streaming(setup, placement: DecodePlacementMode.Inline)),
    ("moco", "MoCoFeatures end to end (path column)", () => Paths.MoCoFeatures(ml, setup, setup.Threads, setup.Threads)),
    ("moco:overlap", "MoCoFeatures with decoding always beside ORT (before the placement rule)", () => Paths.MoCoFeatures(ml, setup, setup.Threads, setup.Threads, placement: DecodePlacementMode.Overlap)),
    ("onnx", "LoadImages → ResizeImages → ExtractPixels → ApplyOnnxModel", () => Paths.ApplyOnnxModel(ml, setup)),
    ("mlimg", "LoadImages → ResizeImages → ExtractPixels only (no model)", () => Paths.MLNetImagesOnly(ml, setup)),
    ("dnn", $"DnnFeaturizeImage ResNet18 (own model; {Math.Min(setup.DnnImages, files.Length)} images)", () => Paths.DnnFeaturizeImage(ml, setup)),
}.Where(p => selected.Contains(p.key)).Concat(selected.Where(k => k.StartsWith("moco:", StringComparison.Ordinal) && char.IsAsciiDigit(k[5])).Select(Variant)).ToArray();

Console.WriteLine($"{files.Length} images ({setup.Size}x{setup.Size} crops, {setup.Channels} channel(s)) in {setup.ImageFolder}; model {setup.ModelPath}; threads {setup.Threads} " +
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
    Console.WriteLine(FormattableString.Invariant($"{key,-10} {Median(r),8:F1} ({r.Min():F1}–{r.Max():F1})  {Median(cpu[key]),7:F1} ms  {name}"));
}

if (rates.TryGetValue("ort", out var ortAlone))
{
    // Issue 23's figure: each MoCo path against ORT alone on pre-decoded batches, from the same run.
    foreach (var key in rates.Keys.Where(k => k is "moco" or "feat" or "feat:spin" or "core" or "step" || k.StartsWith("feat:", StringComparison.Ordinal) || k.StartsWith("moco:", StringComparison.Ordinal)))
    {
        Console.WriteLine(FormattableString.Invariant(
            $"{key} / ort: {Median(rates[key]) / Median(ortAlone):F2} images/s (median over median); {Median(cpu["ort"]) / Median(cpu[key]):F2} by CPU time per image"));
    }

    if (rates.TryGetValue("moco", out var mocoRates))
    {
        var ratio = Median(mocoRates) / Median(ortAlone);
        Console.WriteLine(FormattableString.Invariant($"goal MoCoFeatures ≥ 0.90× ORT alone: {(ratio >= 0.9 ? "met" : "not met")} ({ratio:F2})"));
    }
}

if (rates.TryGetValue("moco", out var moco))
{
    foreach (var other in new[] { "onnx", "dnn" }.Where(rates.ContainsKey))
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

// "moco:D:I[:spin]": MoCoFeatures with D decode threads and I ORT intra-op threads (to see how the two share the cores),
// with ORT's spin-waiting on when ":spin" follows.
(string key, string name, Func<Rate> run) Variant(string key)
{
    var parts = key.Split(':');
    int d = int.Parse(parts[1], inv), i = int.Parse(parts[2], inv);
    var spin = parts.Length > 3 && parts[3] == "spin";
    return (key, $"MoCoFeatures, {d} decode thread(s), {i} ORT intra-op thread(s){(spin ? ", ORT spinning" : "")}", () => Paths.MoCoFeatures(ml, setup, d, i, spin));
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
