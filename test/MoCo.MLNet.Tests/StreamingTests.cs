using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.MLNet.Tests.Support;

namespace MoCo.MLNet.Tests;

// Laziness, cursors from several threads, and memory over 100,000 rows.
public class StreamingTests
{
    private TempDir _dir = null!;
    private ReferenceEncoder _tiny = null!;
    private string _model = null!;
    private string[] _files = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _dir = new TempDir();
        _tiny = new ReferenceEncoder(channels: 1, inputSize: 16, resize: 16, width: 4, seed: 21);
        _model = _dir.File("tiny.onnx");
        File.WriteAllBytes(_model, _tiny.OnnxBytes);
        _files = TestImages.Write(_dir.Path, 8, seed: 5, gray: true).Select(n => Path.Combine(_dir.Path, n)).ToArray();
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _tiny.Dispose();
        _dir.Dispose();
    }

    /// <summary>Rows generated on the fly: row i is file i mod 8, so nothing holds 100,000 rows in memory.</summary>
    private sealed class GeneratedRows(string[] files, long count) : IDataView
    {
        public bool CanShuffle => false;

        public DataViewSchema Schema { get; } = MakeSchema();

        public long? GetRowCount() => count;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this, files, count);

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [GetRowCursor(columnsNeeded, rand)];

        private static DataViewSchema MakeSchema()
        {
            var b = new DataViewSchema.Builder();
            b.AddColumn("ImagePath", TextDataViewType.Instance);
            b.AddColumn("Index", NumberDataViewType.Int64);
            return b.ToSchema();
        }

        private sealed class Cursor(GeneratedRows parent, string[] files, long count) : DataViewRowCursor
        {
            private long _position = -1;

            public override DataViewSchema Schema => parent.Schema;

            public override long Position => _position;

            public override long Batch => 0;

            public override bool IsColumnActive(DataViewSchema.Column column) => true;

            public override bool MoveNext() => ++_position < count;

            public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                if (column.Index == 0)
                {
                    ValueGetter<ReadOnlyMemory<char>> text = (ref ReadOnlyMemory<char> v) => v = files[_position % files.Length].AsMemory();
                    return (ValueGetter<TValue>)(Delegate)text;
                }

                ValueGetter<long> index = (ref long v) => v = _position;
                return (ValueGetter<TValue>)(Delegate)index;
            }
        }
    }

    private static (long Rows, double Checksum) Drain(IDataView data)
    {
        using var cursor = data.GetRowCursor(data.Schema);
        var features = cursor.GetGetter<VBuffer<float>>(data.Schema["Features"]);
        var index = cursor.GetGetter<long>(data.Schema["Index"]);
        VBuffer<float> value = default;
        long rows = 0, i = 0;
        double sum = 0;
        while (cursor.MoveNext())
        {
            features(ref value);
            index(ref i);
            Assert.That(i, Is.EqualTo(rows));
            sum += value.GetValues()[0];
            rows++;
        }

        return (rows, sum);
    }

    [Test]
    public void Nothing_runs_until_the_features_are_read()
    {
        var ml = new MLContext();
        var data = new GeneratedRows(["/nonexistent/a.png"], 10);
        using var fitted = ml.Transforms.MoCoFeatures("Features", "ImagePath", _model).Fit(data);
        var output = fitted.Transform(data);
        // Reading other columns never touches the (unreadable) images.
        using var cursor = output.GetRowCursor([output.Schema["Index"]]);
        var count = 0;
        while (cursor.MoveNext())
        {
            count++;
        }

        Assert.That(count, Is.EqualTo(10));
        Assert.That(() => Drain(output), Throws.InstanceOf<InvalidDataException>());
    }

    [Test]
    public void Cursors_on_several_threads_at_once_give_the_same_features()
    {
        var ml = new MLContext();
        var data = new GeneratedRows(_files, 600);
        using var fitted = ml.Transforms.MoCoFeatures(new MoCoFeaturesOptions { InputColumnName = "ImagePath", ModelPath = _model, BatchSize = 7 }).Fit(data);
        var output = fitted.Transform(data);
        var expected = Drain(output);
        var results = new (long, double)[4];
        Parallel.For(0, 4, i => results[i] = Drain(output));
        Assert.That(results, Is.All.EqualTo(expected));
        var set = output.GetRowCursorSet(output.Schema, 4);
        Assert.That(set, Has.Length.GreaterThanOrEqualTo(1));
        foreach (var cursor in set)
        {
            cursor.Dispose();
        }
    }

    [Test]
    public void Stopping_early_releases_the_read_ahead()
    {
        var ml = new MLContext();
        var data = new GeneratedRows(_files, 100_000);
        using var fitted = ml.Transforms.MoCoFeatures(new MoCoFeaturesOptions { InputColumnName = "ImagePath", ModelPath = _model, BatchSize = 16 }).Fit(data);
        var output = fitted.Transform(data);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            using var cursor = output.GetRowCursor(output.Schema);
            cursor.MoveNext();
        }

        // 20 cursors each read ahead a few batches of 100,000 rows and stop: they must not run to the end.
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)));
    }

    [Test]
    public void Memory_stays_flat_over_100000_rows()
    {
        var ml = new MLContext();
        var data = new GeneratedRows(_files, 100_000);
        using var fitted = ml.Transforms.MoCoFeatures(new MoCoFeaturesOptions { InputColumnName = "ImagePath", ModelPath = _model, BatchSize = 64 }).Fit(data);
        var output = fitted.Transform(data);
        using var cursor = output.GetRowCursor(output.Schema);
        var getter = cursor.GetGetter<VBuffer<float>>(output.Schema["Features"]);
        VBuffer<float> value = default;
        long rows = 0, managedAt10k = 0, rssAt10k = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            if (++rows == 10_000)
            {
                managedAt10k = GC.GetTotalMemory(forceFullCollection: true);
                rssAt10k = Process.GetCurrentProcess().WorkingSet64;
            }
        }

        var managed = GC.GetTotalMemory(forceFullCollection: true);
        var rss = Process.GetCurrentProcess().WorkingSet64;
        TestContext.Out.WriteLine($"managed {managedAt10k >> 20} -> {managed >> 20} MB, RSS {rssAt10k >> 20} -> {rss >> 20} MB over 10,000 -> 100,000 rows");
        Assert.That(rows, Is.EqualTo(100_000));
        Assert.That(managed - managedAt10k, Is.LessThan(16L << 20));
        Assert.That(rss - rssAt10k, Is.LessThan(64L << 20));
    }
}
