using System.Diagnostics;
using System.Globalization;
using MoCo.Evaluation;
using MoCo.Search;
using MoCo.Search.Ann;
using MoCo.Search.Dedup;
using MoCo.Search.Exact;

// Index build and query on N x D features (issue 20: 100,000 x 512, 2 threads): build time, queries/s, recall@10 against
// exact search on a sample of queries, then dedup's candidate search + grouping over all rows.
// Usage: dotnet run -c Release --project bench/MoCo.Search.Bench -- [rows=100000] [dim=512] [threads=2] [queries=1000] [ef=64]
// (or `plant ...` / `pairs ...`: dedup on planted duplicates, PlantedDuplicatesMeasurement.cs)
if (args.FirstOrDefault() is "plant" or "pairs" or "groups")
{
    MoCo.Search.Bench.PlantedDuplicatesMeasurement.Run(args);
    return;
}

var args_ = args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
int rows = args_.ElementAtOrDefault(0) is > 0 and var r ? r : 100_000;
int dim = args_.ElementAtOrDefault(1) is > 0 and var d ? d : 512;
int threads = args_.ElementAtOrDefault(2) is > 0 and var t ? t : 2;
int queries = args_.ElementAtOrDefault(3) is > 0 and var q ? q : 1000;
int ef = args_.ElementAtOrDefault(4) is > 0 and var e ? e : HnswParameters.Default.ExpansionSearch;

// Post-ReLU-like features: 100 clusters around positive centres, clipped at 0 (every row points roughly the same way).
var rng = new Random(1);
double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
var centres = Enumerable.Range(0, 100 * dim).Select(_ => (float)(1 + Gaussian())).ToArray();
var values = new float[(long)rows * dim];
for (var i = 0; i < rows; i++)
{
    var c = rng.Next(100);
    for (var j = 0; j < dim; j++)
    {
        values[((long)i * dim) + j] = MathF.Max(0, centres[(c * dim) + j] + (0.6f * (float)Gaussian()));
    }
}

var features = new FeatureMatrix(values, rows, dim);
Console.WriteLine($"{rows:N0} x {dim}, {threads} threads, USearch {HnswCosineIndex.NativeVersion}, ef {ef}");

var clock = Stopwatch.StartNew();
using var index = HnswCosineIndex.Create(dim, HnswParameters.Default);
index.Add(features, 0, rows, 0, threads);
var build = clock.Elapsed.TotalSeconds;
Console.WriteLine($"build: {build:F1} s ({rows / build:N0} rows/s, {index.HardwareAcceleration})");

index.SetExpansionSearch(ef);
index.SetSearchThreads(threads);
var sample = Enumerable.Range(0, queries).Select(i => (int)((long)i * rows / queries)).ToArray();
var found = new long[queries][];
clock.Restart();
Parallel.For(0, queries, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
{
    var keys = new long[10];
    var similarities = new float[10];
    var n = index.Search(features.Row(sample[i]), keys, similarities);
    found[i] = keys[..n];
});
var search = clock.Elapsed.TotalSeconds;
Console.WriteLine($"query: {queries / search:N0} queries/s (k 10, {threads} threads)");

clock.Restart();
var unit = features.L2Normalised();
var exact = ExactCosineSearch.Search(unit, unit.Select(sample), 10, threads: threads);
var exactSeconds = clock.Elapsed.TotalSeconds;
long hits = 0;
for (var i = 0; i < queries; i++)
{
    var set = found[i].ToHashSet();
    hits += exact[i].Count(n => set.Contains(n.Row));
}

Console.WriteLine($"recall@10: {hits / (10.0 * queries):F4} against exact search ({queries / exactSeconds:N0} exact queries/s)");

// Dedup over every row: k 10 candidates from the index, then the centred-cosine rule.
clock.Restart();
var candidates = new Neighbor[rows][];
Parallel.For(0, rows, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
{
    var keys = new long[11];
    var similarities = new float[11];
    var n = index.Search(features.Row(i), keys, similarities);
    candidates[i] = Enumerable.Range(0, n).Where(j => keys[j] != i).Take(10).Select(j => new Neighbor(keys[j], similarities[j])).ToArray();
});
var groups = NearDuplicates.Find(features, candidates);
Console.WriteLine($"dedup: {clock.Elapsed.TotalSeconds:F1} s over {rows:N0} rows ({groups.Groups.Count} groups, threshold {groups.Threshold:F4})");
