// MoCo view pairs per second: MoCo.Imaging's loader vs torchvision + PIL (baseline.py) with the same threads.
// Usage: dotnet run -c Release --project bench/MoCo.Imaging.Bench -- (fmnist|jpeg DIR [full]) THREADS
//        (full: decode every JPEG at full size, as PIL does, instead of DCT-scaling large ones)
//        dotnet run -c Release --project bench/MoCo.Imaging.Bench -- kernels [REPETITIONS]   (ms per call, one thread)
//        dotnet run -c Release --project bench/MoCo.Imaging.Bench -- decoders DIR [full] [rounds=N] THREADS
//        (the jpeg loader with the system libturbojpeg vs SkiaSharp in one run, rounds alternating; default 3 rounds)
using System.Diagnostics;
using System.Globalization;
using MoCo.Imaging.Bench;
using MoCo.Imaging.Datasets;
using MoCo.Imaging.Loading;
using MoCo.Imaging.Transforms;

string mode = args.Length > 0 ? args[0] : "fmnist";
if (mode == "kernels")
{
    Kernels.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7);
    return;
}

int threads = int.Parse(args[^1], CultureInfo.InvariantCulture);
bool fullDecode = args.Contains("full");
if (mode == "decoders")
{
    var rounds = args.FirstOrDefault(a => a.StartsWith("rounds=", StringComparison.Ordinal));
    Decoders.Run(args[1], threads, fullDecode, rounds is null ? 3 : int.Parse(rounds["rounds=".Length..], CultureInfo.InvariantCulture));
    return;
}

IImageDataset dataset;
MoCoAugmentation aug;
int channels;
if (mode == "fmnist")
{
    dataset = ImageDatasets.FashionMnist(train: false);
    aug = MoCoAugmentation.V2(28) with { Mean = [0.2860f], Std = [0.3530f] };
    channels = 1;
}
else
{
    dataset = ImageDatasets.FromFolder(args[1], classSubfolders: false);
    aug = MoCoAugmentation.V2(224);
    channels = 3;
}

var loader = ImageLoader.ForPretraining(dataset, aug, channels, new LoaderOptions(BatchSize: 64, Workers: threads, DropLast: false, ScaledJpegDecode: !fullDecode));
foreach (var b in loader.Epoch(99).Take(1))
{
    b.Dispose(); // warm-up
}

var sw = Stopwatch.StartNew();
int pairs = 0;
foreach (var batch in loader.Epoch(0))
{
    pairs += batch.Count;
    batch.Dispose();
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"moco-imaging {mode}{(fullDecode ? " full-decode" : "")} threads={threads}: {pairs / sw.Elapsed.TotalSeconds:F0} view pairs/s ({pairs} in {sw.Elapsed.TotalSeconds:F2} s)"));
