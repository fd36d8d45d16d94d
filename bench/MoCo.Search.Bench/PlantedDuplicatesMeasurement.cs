using System.Globalization;
using MoCo.Evaluation;
using MoCo.Extraction.Reading;
using MoCo.Imaging;
using MoCo.Imaging.Datasets;
using MoCo.Imaging.Idx;
using MoCo.Imaging.Transforms;
using MoCo.Search.Dedup;

namespace MoCo.Search.Bench;

/// <summary>
/// dedup on real data with planted duplicates (docs/search.md, "Near-duplicates"):
/// <c>plant DIR COUNT PLANTED SEED [SCALE]</c> writes COUNT Fashion-MNIST test images (a seeded pick, each drawn at
/// SCALE×, default 2) as PNG files and, for the first PLANTED, one duplicate of each <see cref="DuplicateKind"/>
/// (imgNNNN-copy.png, -half.png, -jpeg50.jpg, -crop90.png); <c>pairs STORE [T ...]</c> reads a store extracted from such
/// a folder and prints the centred and raw cosine of every planted pair against each original's nearest distinct image
/// (brute force), and for each threshold T how many planted pairs reach it and how many originals' nearest distinct
/// image does.
/// </summary>
internal static class PlantedDuplicatesMeasurement
{
    public static void Run(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "plant" when args.Length >= 5:
                Plant(args[1], Int(args[2]), Int(args[3]), Int(args[4]), args.Length > 5 ? Int(args[5]) : 2);
                break;
            case "groups" when args.Length >= 2:
                Groups(args[1]);
                break;
            case "pairs" when args.Length >= 2:
                Pairs(args[1], args.Skip(2).Select(a => double.Parse(a, CultureInfo.InvariantCulture)).ToArray());
                break;
            default:
                throw new ArgumentException("usage: plant DIR COUNT PLANTED SEED [SCALE] | pairs STORE [T ...] | groups GROUPS.CSV");
        }
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    private static void Plant(string folder, int count, int planted, int seed, int scale)
    {
        var (images, _) = IdxSplit.Locate(FashionMnist.Directory, train: false);
        var (total, h, w, pixels) = IdxReader.ReadImages(images);
        var rng = new Random(seed);
        var picks = Enumerable.Range(0, total).OrderBy(_ => rng.Next()).Take(count).ToArray();
        Directory.CreateDirectory(folder);
        for (var i = 0; i < picks.Length; i++)
        {
            using var small = new DecodedImage(w, h, 1);
            pixels.AsSpan(picks[i] * h * w, h * w).CopyTo(small.Pixels);
            using var image = ImageOps.ResizedCrop(small, new CropBox(0, 0, h, w), w * scale, h * scale);
            var stem = Path.Combine(folder, $"img{i:D4}");
            File.WriteAllBytes(stem + ".png", DuplicateMaker.Original(image));
            if (i < planted)
            {
                foreach (var kind in DuplicateMaker.Kinds)
                {
                    File.WriteAllBytes($"{stem}-{Name(kind)}{DuplicateMaker.Extension(kind)}", DuplicateMaker.Make(image, kind, rng));
                }
            }
        }

        Console.WriteLine($"{count} images ({w * scale} px, Fashion-MNIST test, seed {seed}), {planted} x {DuplicateMaker.Kinds.Length} planted duplicates -> {folder}");
    }

    /// <summary>Scores `moco dedup`'s groups.csv against the planted truth (file names): duplicates grouped with their
    /// original, by kind, and groups that hold images of two different originals.</summary>
    private static void Groups(string csv)
    {
        var rows = File.ReadAllLines(csv).Skip(1).Select(l => l.Split(',')).Select(p => (Group: p[0], Name: Path.GetFileNameWithoutExtension(p[1]))).ToArray();
        var groupOf = rows.ToDictionary(r => r.Name, r => r.Group);
        var mixed = rows.GroupBy(r => r.Group).Count(g => g.Select(r => r.Name.Split('-')[0]).Distinct().Count() > 1);
        var kinds = DuplicateMaker.Kinds.Select(k =>
        {
            var planted = rows.Length == 0 ? 0 : groupOf.Keys.Count(n => n.EndsWith("-" + Name(k), StringComparison.Ordinal) && groupOf.GetValueOrDefault(n.Split('-')[0]) == groupOf[n]);
            return $"{Name(k)} {planted}";
        });
        Console.WriteLine($"{rows.GroupBy(r => r.Group).Count()} groups, {rows.Length} images; grouped with their original: {string.Join(", ", kinds)}; groups mixing two originals: {mixed}");
    }

    private static string Name(DuplicateKind kind) => kind.ToString().ToLowerInvariant();

    private static void Pairs(string store, double[] thresholds)
    {
        var table = FeatureStoreReader.Open(store).ReadAll();
        var centred = CentredFeatures.Of(table.Features);
        var raw = table.Features.L2Normalised();
        var names = table.Paths.Select(p => Path.GetFileNameWithoutExtension(p)).ToArray();
        var stems = names.Select(n => n.Split('-')[0]).ToArray();
        var originals = Enumerable.Range(0, names.Length).Where(r => !names[r].Contains('-')).ToArray();
        var rowOf = originals.ToDictionary(r => stems[r]);

        double Dot(FeatureMatrix m, int a, int b) => System.Numerics.Tensors.TensorPrimitives.Dot(m.Row(a), m.Row(b));
        Console.WriteLine($"{table.Features.Rows} rows x {table.Features.Columns}: {originals.Length} originals");
        Console.WriteLine("pairs                      n   centred: min     p5   median | raw: min     p5   median");
        var kinds = new Dictionary<string, (double[] Centred, double[] Raw)>();
        foreach (var kind in DuplicateMaker.Kinds.Select(Name))
        {
            var rows = Enumerable.Range(0, names.Length).Where(r => names[r].EndsWith("-" + kind, StringComparison.Ordinal)).ToArray();
            var c = rows.Select(r => Dot(centred, r, rowOf[stems[r]])).Order().ToArray();
            var rr = rows.Select(r => Dot(raw, r, rowOf[stems[r]])).Order().ToArray();
            kinds[kind] = (c, rr);
            Print($"{kind} to its original", c, rr);
        }

        // Each original's nearest image of another stem (its own planted duplicates left out), by centred and by raw cosine.
        var nearestCentred = new double[originals.Length];
        var nearestRaw = new double[originals.Length];
        Parallel.For(0, originals.Length, i =>
        {
            var a = originals[i];
            double bestC = -2, bestR = -2;
            for (var b = 0; b < names.Length; b++)
            {
                if (stems[b] != stems[a])
                {
                    bestC = Math.Max(bestC, Dot(centred, a, b));
                    bestR = Math.Max(bestR, Dot(raw, a, b));
                }
            }

            nearestCentred[i] = bestC;
            nearestRaw[i] = bestR;
        });
        Array.Sort(nearestCentred);
        Array.Sort(nearestRaw);
        Console.WriteLine("nearest distinct image      n   centred: median  p95    p99    max | raw: median  p95    p99    max");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"original to nearest other",-26} {originals.Length,4}  {Q(nearestCentred, 0.5):F4} {Q(nearestCentred, 0.95):F4} {Q(nearestCentred, 0.99):F4} {nearestCentred[^1]:F4} | {Q(nearestRaw, 0.5):F4} {Q(nearestRaw, 0.95):F4} {Q(nearestRaw, 0.99):F4} {nearestRaw[^1]:F4}"));

        // What dedup sees: every row's nearest other row (duplicates included), as log distances.
        var all = new double[names.Length];
        Parallel.For(0, names.Length, a =>
        {
            double best = -2;
            for (var b = 0; b < names.Length; b++)
            {
                if (b != a)
                {
                    best = Math.Max(best, Dot(centred, a, b));
                }
            }

            all[a] = Math.Log(Math.Max(1e-9, 1 - best));
        });
        Array.Sort(all);
        double mu = Q(all, 0.5), sigma = (Q(all, 0.75) - mu) / 0.6745, z = Math.Sqrt((2 * Math.Log(all.Length)) - Math.Log(Math.Log(all.Length)) - Math.Log(4 * Math.PI));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"log nearest distance over all rows: median {mu:F3} (d {Math.Exp(mu):F4}), sigma {sigma:F3}, z {z:F2}: floor T = {1 - Math.Exp(mu - (z * sigma)):F5}"));
        thresholds = [.. thresholds, 1 - Math.Exp(mu - (z * sigma))];

        foreach (var t in thresholds)
        {
            var reached = string.Join(", ", kinds.Select(k => $"{k.Key} {k.Value.Centred.Count(s => s >= t)}/{k.Value.Centred.Length}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"T {t:F4}: planted pairs reaching it: {reached}; originals whose nearest distinct image reaches it: {nearestCentred.Count(s => s >= t)}/{originals.Length}"));
        }
    }

    private static void Print(string what, double[] centred, double[] raw) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{what,-26} {centred.Length,4}  {centred[0]:F4} {Q(centred, 0.05):F4} {Q(centred, 0.5):F4} | {raw[0]:F4} {Q(raw, 0.05):F4} {Q(raw, 0.5):F4}"));

    /// <summary>The q-quantile of sorted values (nearest rank).</summary>
    private static double Q(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
