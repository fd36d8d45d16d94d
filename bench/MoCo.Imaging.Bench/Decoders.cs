using System.Diagnostics;
using System.Globalization;
using MoCo.Imaging;
using MoCo.Imaging.Datasets;
using MoCo.Imaging.Loading;
using MoCo.Imaging.Transforms;

namespace MoCo.Imaging.Bench;

/// <summary>
/// `decoders` mode: the same folder through the MoCo v2 pretraining loader with each decoder, in one process,
/// rounds alternating (TurboJPEG, Skia, TurboJPEG, Skia, ...) so a busy neighbour slows both alike; then the decode alone
/// (ms per file, one thread, best of the rounds). Prints the Skia / TurboJPEG ratio: the median of the per-round ratios.
/// </summary>
internal static class Decoders
{
    internal static void Run(string dir, int threads, bool fullDecode, int rounds)
    {
        var dataset = ImageDatasets.FromFolder(dir, classSubfolders: false);
        var aug = MoCoAugmentation.V2(224);
        DecoderBackend[] backends = [DecoderBackend.TurboJpeg, DecoderBackend.Skia];
        var pairsPerSecond = backends.ToDictionary(b => b, _ => new List<double>());
        var msPerFile = backends.ToDictionary(b => b, _ => new List<double>());
        foreach (var b in backends)
        {
            Loop(dataset, aug, threads, fullDecode, b, epoch: 99, take: 1); // warm-up
        }

        for (int r = 0; r < rounds; r++)
        {
            foreach (var b in backends)
            {
                pairsPerSecond[b].Add(Loop(dataset, aug, threads, fullDecode, b, epoch: r, take: int.MaxValue));
                msPerFile[b].Add(DecodeOnly(dataset, fullDecode ? 0 : aug.Crop.MinSourceShorterSide, b));
            }
        }

        string mode = fullDecode ? " full-decode" : "";
        foreach (var b in backends)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{b,-6}{mode} threads={threads}: loader {Median(pairsPerSecond[b]):F1} view pairs/s (rounds: {string.Join(", ", pairsPerSecond[b].Select(v => v.ToString("F1", CultureInfo.InvariantCulture)))}); decode alone {msPerFile[b].Min():F3} ms/file"));
        }

        // Paired per round (each Skia round right after its TurboJPEG round), so a neighbour's load drifting over the run
        // moves both sides of a ratio alike.
        var paired = pairsPerSecond[DecoderBackend.Skia].Zip(pairsPerSecond[DecoderBackend.TurboJpeg], (s, t) => s / t).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Skia / TurboJpeg: loader {Median(paired):F3}x (median of the per-round ratios {string.Join(", ", paired.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))}), decode alone {msPerFile[DecoderBackend.TurboJpeg].Min() / msPerFile[DecoderBackend.Skia].Min():F3}x (above 1: Skia faster)"));
    }

    private static double Loop(IImageDataset dataset, MoCoAugmentation aug, int threads, bool fullDecode, DecoderBackend backend, int epoch, int take)
    {
        var loader = ImageLoader.ForPretraining(dataset, aug, 3,
            new LoaderOptions(BatchSize: 64, Workers: threads, DropLast: false, ScaledJpegDecode: !fullDecode, Decoder: backend, SkipBadFiles: false));
        var sw = Stopwatch.StartNew();
        int pairs = 0;
        foreach (var batch in loader.Epoch(epoch).Take(take))
        {
            pairs += batch.Count;
            batch.Dispose();
        }

        return pairs / sw.Elapsed.TotalSeconds;
    }

    private static double DecodeOnly(IImageDataset dataset, int minShorterSide, DecoderBackend backend)
    {
        var options = new ImageDecodeOptions(Channels: 3, MinShorterSide: minShorterSide, Decoder: backend);
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < dataset.Count; i++)
        {
            dataset.Load(i, options).Dispose();
        }

        return sw.Elapsed.TotalMilliseconds / dataset.Count;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
