using System.CommandLine;
using System.Globalization;
using System.Text;
using MoCo.Cli.Options;
using MoCo.Extraction.Reading;
using MoCo.Search;
using MoCo.Search.Ann;
using MoCo.Search.Dedup;

namespace MoCo.Cli.Commands;

/// <summary>`moco dedup`: groups of near-duplicate images in a store (copies, resized or re-encoded copies; crops with --crops),
/// written as groups.csv and keep.txt (docs/search.md: the rule and its default).</summary>
internal static class DedupCommand
{
    /// <summary>Exact search up to this many rows when the store has no index (beyond it, all pairs cost too much).</summary>
    internal const int ExactRowLimit = 20_000;

    internal sealed class Options
    {
        internal readonly Option<string> Store = DataOptions.Store();
        internal readonly Option<double?> Threshold = new("--threshold") { Description = "centred cosine at which two images are duplicates (default: calibrated on the store, just above its closest distinct images: docs/search.md)" };
        internal readonly Option<string> Out = new("--out") { Description = "folder for groups.csv (group,path: images that have a duplicate) and keep.txt (one path a line)", Required = true };
        internal readonly Option<int> K = new("--k") { Description = "candidate neighbours per image", DefaultValueFactory = _ => 10 };
        internal readonly Option<bool> Exact = new("--exact") { Description = $"candidates by brute force instead of the index (at most {ExactRowLimit:N0} rows without an index)" };
        internal readonly Option<int> ExpansionSearch = new("--expansion-search") { Description = "HNSW candidates while searching (ef)", DefaultValueFactory = _ => HnswParameters.Default.ExpansionSearch };
        internal readonly Option<int> Threads = new("--threads") { Description = "search threads, and --crops' image threads (0: one per core)", DefaultValueFactory = _ => 0 };

        internal readonly Option<int> CheckCopies = new("--check-copies") { Description = "plant a 0.5x, a JPEG q50 and a 90% crop copy of this many sampled store images (in memory, through the store's encoder) and say how many the threshold groups (0: no check)", DefaultValueFactory = _ => 100 };

        internal readonly Option<bool> Crops = new("--crops") { Description = "also group crops: for each candidate pair, look for one image inside the other by its pixels and compare that window's features (needs the store's images; reads each image about 2k times)" };

        internal IEnumerable<Option> All => [Store, Threshold, Out, K, Exact, ExpansionSearch, Threads, CheckCopies, Crops];
    }

    internal static Command Create() => Create(new Options());

    internal static Command Create(Options o) => CommandOptions.Build("dedup",
        "Group near-duplicate images of a store; writes groups.csv and keep.txt (every image without a duplicate and one per group).",
        o.All, r => Run(r, o));

    private static int Run(ParseResult r, Options o)
    {
        var folder = r.GetValue(o.Store)!;
        var k = r.GetValue(o.K);
        if (k < 1)
        {
            throw new ArgumentException($"--k {k}: give 1 or more.");
        }

        var check = r.GetValue(o.CheckCopies);
        if (check < 0)
        {
            throw new ArgumentException($"--check-copies {check}: give 0 (no check) or more.");
        }

        var threads = SearchThreads.Resolve(r.GetValue(o.Threads));
        var store = FeatureStoreReader.Open(folder);
        var rows = StoreRows.Load(store);
        var exact = r.GetValue(o.Exact) || !File.Exists(Path.Combine(folder, MoCo.Search.Index.StoreIndex.IndexFileName));
        if (exact && !r.GetValue(o.Exact) && rows.Count > ExactRowLimit)
        {
            throw new InvalidOperationException($"store {folder} has {rows.Count:N0} rows and no index: run `moco index --store {folder}` first (or pass --exact and wait).");
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var search = exact ? NeighborSearch.Exact(rows) : NeighborSearch.Indexed(folder, rows, r.GetValue(o.ExpansionSearch));
        var candidates = search.AllRows(Math.Min(k, Math.Max(1, rows.Count - 1)), threads);
        var mean = CentredFeatures.Mean(rows.Features);
        var centred = CentredFeatures.Of(rows.Features, mean);
        IReadOnlyList<CropPair>? cropPairs = null;
        CropViewsReport? cropReport = null;
        if (r.GetValue(o.Crops))
        {
            using var images = StoreImages.Open(store, model: null, out var why)
                ?? throw new InvalidOperationException($"--crops needs the store's images: {why}.");
            cropPairs = CropViews.Match(images, rows, candidates, centred, mean, threads, out var report);
            cropReport = report;
        }

        var found = NearDuplicates.Find(centred, rows.Count, candidates, r.GetValue(o.Threshold), cropPairs);
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"threshold: centred cosine >= {found.Threshold:F5} ({found.Calibration?.Describe() ?? "--threshold"})"));
        if (cropReport is { } c)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"crop views: {c.Pairs:N0} candidate pairs looked at, in {c.Located:N0} one image found inside the other by its pixels and that window featurised ({c.Seconds:F1} s)" +
                $"{(c.Unreadable > 0 ? $", {c.Unreadable:N0} unreadable images skipped" : "")}; " +
                $"{cropPairs!.Count(p => p.Similarity >= found.Threshold):N0} crop views reach the threshold."));
        }
        if (check > 0)
        {
            Console.WriteLine(CopyCheck.Describe(PlantedCopies.Plant(store, rows, centred, mean, check, seed: 1, model: null, out var why), found.Threshold, why));
        }

        var output = r.GetValue(o.Out)!;
        Directory.CreateDirectory(output);
        var csv = new StringBuilder("group,path\n");
        for (var g = 0; g < found.Groups.Count; g++)
        {
            foreach (var row in found.Groups[g])
            {
                csv.Append(CultureInfo.InvariantCulture, $"{g},{Csv(rows.Paths[row])}\n");
            }
        }

        File.WriteAllText(Path.Combine(output, "groups.csv"), csv.ToString());
        var kept = found.Kept(rows.Count).Select(row => rows.Paths[row]).ToArray();
        File.WriteAllLines(Path.Combine(output, "keep.txt"), kept);
        var inGroups = found.Groups.Sum(g => g.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{found.Groups.Count:N0} groups of near-duplicates ({inGroups:N0} images) among {rows.Count:N0}; keep {kept.Length:N0} " +
            $"({(exact ? "exact" : "index")} candidates, {seconds:F1} s) -> {output}"));
        return 0;
    }

    /// <summary>A CSV field (RFC 4180): quoted when it holds a comma, quote or line break.</summary>
    private static string Csv(string field) =>
        field.AsSpan().IndexOfAny(",\"\n\r") < 0 ? field : $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
