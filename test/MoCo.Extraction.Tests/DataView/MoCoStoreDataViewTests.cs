using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.Extraction.Store;
using MoCo.Extraction.Tests.Support;
using MoCo.MLNet.Tests.Support;

namespace MoCo.Extraction.Tests.DataView;

// The store's IDataView over generated stores whose every value is known in closed form (Value(row, d)), and against
// ML.NET's own LoadFromEnumerable of the same rows as the reference for a trainer.
[NonParallelizable]
public class MoCoStoreDataViewTests
{
    private TempDir _dir = null!;

    [OneTimeSetUp]
    public void SetUp() => _dir = new TempDir();

    [OneTimeTearDown]
    public void TearDown() => _dir.Dispose();

    private static float Value(int row, int d) => (float)Math.Sin((row * 0.37) + (d * 1.3));

    private static int Label(int row) => row % 3;

    private string Generated(string name, StoreFormat format, int rows, int dimension, int rowsPerFile, Action<int, float[]>? features = null)
    {
        var folder = _dir.File(name);
        SyntheticStore.Write(folder, SyntheticStore.Settings(dimension, format, rows, classes: 3), rowsPerFile, Label,
            features ?? ((row, buffer) =>
            {
                for (var d = 0; d < buffer.Length; d++)
                {
                    buffer[d] = Value(row, d);
                }
            }));
        return folder;
    }

    [TestCase("Parquet")]
    [TestCase("Npy")]
    public void Schema_and_every_row_are_the_stores(string formatName)
    {
        var format = Enum.Parse<StoreFormat>(formatName);
        var mlContext = new MLContext(seed: 1);
        var data = MoCoStore.Load(mlContext, Generated($"rows-{format}", format, rows: 23, dimension: 5, rowsPerFile: 7));
        var features = data.Schema[MoCoStore.FeaturesColumn];
        Assert.That(features.Type, Is.EqualTo(new VectorDataViewType(NumberDataViewType.Single, 5)));
        var label = data.Schema[MoCoStore.LabelColumn];
        Assert.That(label.Type, Is.EqualTo(new KeyDataViewType(typeof(uint), 3)));
        VBuffer<ReadOnlyMemory<char>> names = default;
        label.GetKeyValues(ref names);
        Assert.That(names.DenseValues().Select(n => n.ToString()), Is.EqualTo(new[] { "class0", "class1", "class2" }));
        Assert.That(data.Schema[MoCoStore.ImagePathColumn].Type, Is.EqualTo(TextDataViewType.Instance));
        Assert.That(data.GetRowCount(), Is.EqualTo(23));

        using var cursor = data.GetRowCursor(data.Schema);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
        var getLabel = cursor.GetGetter<uint>(label);
        var getPath = cursor.GetGetter<ReadOnlyMemory<char>>(data.Schema[MoCoStore.ImagePathColumn]);
        var getItem = cursor.GetGetter<int>(data.Schema[MoCoStore.ItemColumn]);
        VBuffer<float> vector = default;
        uint key = 0;
        ReadOnlyMemory<char> path = default;
        var item = 0;
        var row = 0;
        while (cursor.MoveNext())
        {
            Assert.That(cursor.Position, Is.EqualTo(row));
            getFeatures(ref vector);
            getLabel(ref key);
            getPath(ref path);
            getItem(ref item);
            Assert.That(vector.DenseValues().ToArray(), Is.EqualTo(Enumerable.Range(0, 5).Select(d => Value(row, d)).ToArray()), $"row {row}");
            Assert.That(key, Is.EqualTo((uint)Label(row) + 1), "keys count from 1");
            Assert.That(path.ToString(), Is.EqualTo(SyntheticStore.Path(row)));
            Assert.That(item, Is.EqualTo(row));
            row++;
        }

        Assert.That(row, Is.EqualTo(23));
    }

    [Test]
    public void A_trainer_fits_the_store_as_it_fits_the_same_rows_in_memory()
    {
        // Three Gaussian clusters by label (centres 0, 1, 2 on a diagonal, spread 0.3): separable enough that a probe
        // with rows paired to the wrong labels would be near chance (1/3).
        const int Rows = 600, D = 8;
        var random = new Random(7);
        var values = new float[Rows][];
        for (var r = 0; r < Rows; r++)
        {
            values[r] = Enumerable.Range(0, D).Select(d => (float)(Label(r) + (0.3 * Gaussian(random)))).ToArray();
        }

        var store = Generated("trainer", StoreFormat.Parquet, Rows, D, rowsPerFile: 128, (row, buffer) => values[row].CopyTo(buffer, 0));
        var mlContext = new MLContext(seed: 1);
        var trainer = mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy(new Microsoft.ML.Trainers.SdcaMaximumEntropyMulticlassTrainer.Options
        {
            NumberOfThreads = 1, MaximumNumberOfIterations = 20, Shuffle = false, L2Regularization = 0.01f, L1Regularization = 0f,
        });
        var fromStore = MoCoStore.Load(mlContext, store);
        var storeModel = trainer.Fit(fromStore);
        var storeMetrics = mlContext.MulticlassClassification.Evaluate(storeModel.Transform(fromStore));

        // LoadFromEnumerable takes a key column's values from 0 (it stores value + 1); the store's keys are label + 1.
        var memory = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, Rows).Select(r => new Row { Features = values[r], Label = (uint)Label(r) }),
            SchemaDefinition.Create(typeof(Row)).Also(s => s[nameof(Row.Label)].ColumnType = new KeyDataViewType(typeof(uint), 3)));
        var memoryModel = trainer.Fit(memory);
        var memoryMetrics = mlContext.MulticlassClassification.Evaluate(memoryModel.Transform(memory));

        Assert.That(storeMetrics.MicroAccuracy, Is.GreaterThan(0.9));
        Assert.That(storeMetrics.MicroAccuracy, Is.EqualTo(memoryMetrics.MicroAccuracy));
        Assert.That(storeMetrics.LogLoss, Is.EqualTo(memoryMetrics.LogLoss).Within(1e-9));
        Assert.That(memory.GetColumn<uint>(nameof(Row.Label)), Is.EqualTo(fromStore.GetColumn<uint>(MoCoStore.LabelColumn)), "the same keys");
    }

    // Parquet: each file in flight is decoded whole into pooled arrays (values, its compressed chunk, its decompressed
    // page: ~2.5 MB at 8192 × 16 with the pool's power-of-two sizes), up to 5 files on a machine of 5 or more cores
    // (measured: 9.0 MB on 2 cores); a per-file leak over the store's 123 files would be ~300 MB.
    [TestCase("Npy", 8_000_000)]
    [TestCase("Parquet", 24_000_000)]
    public void A_million_rows_stream_in_flat_memory(string formatName, long limit)
    {
        const int Rows = 1_000_000, D = 16;
        var store = Generated($"million-{formatName}", Enum.Parse<StoreFormat>(formatName), Rows, D, rowsPerFile: 8192, (row, buffer) => buffer.AsSpan().Fill(row));
        var data = MoCoStore.Load(new MLContext(seed: 1), store);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var peak = 0L;
        using (var cursor = data.GetRowCursor(data.Schema))
        {
            var getFeatures = cursor.GetGetter<VBuffer<float>>(data.Schema[MoCoStore.FeaturesColumn]);
            var getPath = cursor.GetGetter<ReadOnlyMemory<char>>(data.Schema[MoCoStore.ImagePathColumn]);
            VBuffer<float> vector = default;
            ReadOnlyMemory<char> path = default;
            var rows = 0;
            var sum = 0.0;
            while (cursor.MoveNext())
            {
                getFeatures(ref vector);
                getPath(ref path);
                sum += vector.GetValues()[D - 1];
                if (++rows % 100_000 == 0)
                {
                    peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - before);
                }
            }

            Assert.That(rows, Is.EqualTo(Rows));
            Assert.That(sum, Is.EqualTo((double)Rows * (Rows - 1) / 2), "every row once: the sum of 0..n-1");
        }

        // The store holds 64 MB of features and ~20 MB of paths; a cursor holds one file's manifest lines and one batch.
        TestContext.Out.WriteLine($"live managed memory while streaming {Rows} rows: at most {peak / 1e6:F1} MB above the start");
        Assert.That(peak, Is.LessThan(limit));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private sealed class Row
    {
        [VectorType(8)]
        public float[] Features { get; set; } = [];

        public uint Label { get; set; }
    }
}

internal static class SchemaDefinitionExtensions
{
    public static SchemaDefinition Also(this SchemaDefinition definition, Action<SchemaDefinition> change)
    {
        change(definition);
        return definition;
    }
}
