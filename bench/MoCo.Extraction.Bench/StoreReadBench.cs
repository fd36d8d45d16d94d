using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.Extraction;
using MoCo.Extraction.Reading;
using MoCo.Extraction.Store;

/// <summary>
/// Rows/s reading a store (issue 20's goal: the IDataView reads >= 1,000,000 rows/s of 128-d features): a generated store
/// (random features, 8192 rows per file, page cache warm after writing), read by FeatureStoreReader.ReadBatches and by
/// MoCoStore.Load's cursor with the getters a trainer calls; baseline: reading the same feature files' bytes raw.
/// Usage: run.sh store-read [rows] [dim] [parquet|npy|both]
/// </summary>
internal static class StoreReadBench
{
    public static void Run(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var dim = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 128;
        var formats = (args.Length > 2 ? args[2] : "both") switch
        {
            "both" => new[] { StoreFormat.Npy, StoreFormat.Parquet },
            var f => [Enum.Parse<StoreFormat>(f, ignoreCase: true)],
        };
        foreach (var format in formats)
        {
            var dir = Directory.CreateTempSubdirectory("moco-store-read-bench-").FullName;
            try
            {
                var write = Stopwatch.StartNew();
                Generate(dir, format, rows, dim);
                Console.WriteLine(FormattableString.Invariant($"{format}: {rows} rows x {dim} written in {write.Elapsed.TotalSeconds:F1} s"));
                var raw = Best(() => RawBytes(dir));
                var store = FeatureStoreReader.Open(dir);
                var features = Best(() => Batches(store, FeatureStoreFields.Features));
                var labelled = Best(() => Batches(store, FeatureStoreFields.Features | FeatureStoreFields.ItemsAndLabels));
                var view = Best(() => Cursor(store, withPath: false));
                var withPaths = Best(() => Cursor(store, withPath: true));
                var manifestOnly = Best(() => Batches(store, FeatureStoreFields.ItemsAndLabels));
                Report(format, "raw file bytes (baseline)", rows, raw, raw);
                Report(format, "ReadBatches items+labels (manifest)", rows, manifestOnly, raw);
                Report(format, "ReadBatches features", rows, features, raw);
                Report(format, "ReadBatches features+labels", rows, labelled, raw);
                Report(format, "IDataView Features+Label", rows, view, raw);
                Report(format, "IDataView Features+Label+ImagePath", rows, withPaths, raw);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    // On a shared machine the wall-clock rate follows the load; the rate per CPU second (this process's) less so.
    private static void Report(StoreFormat format, string what, int rows, (double Wall, double Cpu) time, (double Wall, double Cpu) baseline) =>
        Console.WriteLine(FormattableString.Invariant(
            $"  {format} {what,-38} {rows / time.Wall,12:N0} rows/s  {rows / time.Cpu,12:N0} rows/CPU-s  ({baseline.Cpu / time.Cpu:F2}x baseline per CPU-s)"));

    /// <summary>Best of 3 runs: wall-clock and CPU seconds.</summary>
    private static (double Wall, double Cpu) Best(Func<double> run)
    {
        var best = (Wall: double.MaxValue, Cpu: double.MaxValue);
        for (var i = 0; i < 3; i++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var check = run();
            best = (Math.Min(best.Wall, watch.Elapsed.TotalSeconds), Math.Min(best.Cpu, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds));
            if (double.IsNaN(check))
            {
                throw new InvalidOperationException("NaN in the features");
            }
        }

        return best;
    }

    private static void Generate(string dir, StoreFormat format, int rows, int dim)
    {
        var settings = new StoreSettings(new string('0', 64), "/bench/encoder.onnx", "bench", dim, format, "bench", new string('0', 64), rows, "0/1", true, ["a", "b", "c", "d"]);
        using var store = FeatureStore.OpenForRun(dir, settings);
        var part = new FeaturePart(dim);
        var random = new Random(1);
        var row = new float[dim];
        for (var r = 0; r < rows; r++)
        {
            for (var d = 0; d < dim; d++)
            {
                row[d] = random.NextSingle();
            }

            part.AddRow(r, $"/data/images/class{r % 4}/{r:D8}.jpg", r % 4, row);
            if (part.Rows == 8192)
            {
                store.Commit(part);
                part.Clear();
            }
        }

        store.Commit(part);
    }

    private static double RawBytes(string dir)
    {
        var buffer = new byte[1 << 20];
        var sum = 0.0;
        foreach (var file in Directory.EnumerateFiles(dir, "part-*"))
        {
            using var stream = File.OpenRead(file);
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                sum += buffer[read - 1];
            }
        }

        return sum;
    }

    private static double Batches(FeatureStoreReader store, FeatureStoreFields fields)
    {
        var sum = 0.0;
        foreach (var batch in store.ReadBatches(fields))
        {
            sum += (batch.Fields & FeatureStoreFields.Features) != 0 ? batch.AllFeatures[^1] : batch.Label(0);
        }

        return sum;
    }

    private static double Cursor(FeatureStoreReader store, bool withPath)
    {
        var data = MoCoStore.Load(new MLContext(seed: 0), store);
        var columns = withPath
            ? new[] { data.Schema[MoCoStore.FeaturesColumn], data.Schema[MoCoStore.LabelColumn], data.Schema[MoCoStore.ImagePathColumn] }
            : [data.Schema[MoCoStore.FeaturesColumn], data.Schema[MoCoStore.LabelColumn]];
        using var cursor = data.GetRowCursor(columns);
        var features = cursor.GetGetter<VBuffer<float>>(columns[0]);
        var label = cursor.GetGetter<uint>(columns[1]);
        var path = withPath ? cursor.GetGetter<ReadOnlyMemory<char>>(columns[2]) : null;
        VBuffer<float> vector = default;
        uint key = 0;
        ReadOnlyMemory<char> text = default;
        var sum = 0.0;
        while (cursor.MoveNext())
        {
            features(ref vector);
            label(ref key);
            path?.Invoke(ref text);
            sum += vector.GetValues()[0] + key + text.Length;
        }

        return sum;
    }
}
