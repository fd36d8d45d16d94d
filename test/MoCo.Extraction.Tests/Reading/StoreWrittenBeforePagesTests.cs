using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.Extraction.DataView;
using MoCo.Extraction.Reading;
using MoCo.Extraction.Tests.Support;
using MoCo.MLNet.Tests.Support;

namespace MoCo.Extraction.Tests.Reading;

// A Parquet store written by main before the page reader (Fixtures/parquet-before-pages, by commit 0435586's moco
// extract) reads with today's reader, bit for bit as read_parquet.py (StoreContents; independent of Parquet.Net and of
// the reader) reads it, through ReadBatches and the IDataView, and its files take the page reader.
[NonParallelizable]
public class StoreWrittenBeforePagesTests
{
    private TempDir _dir = null!;
    private string _store = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _dir = new TempDir();
        _store = _dir.File("store");
        Directory.CreateDirectory(_store);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "parquet-before-pages", "store")))
        {
            File.Copy(file, Path.Combine(_store, Path.GetFileName(file)));
        }
    }

    [OneTimeTearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public void Its_rows_are_the_bytes_the_old_writer_wrote()
    {
        var expected = StoreContents.Read(_store).Values.Where(s => s.Status == "ok").ToDictionary(s => s.Item);
        var reader = FeatureStoreReader.Open(_store);
        Assert.That(reader.Format, Is.EqualTo("parquet"));
        Assert.That(reader.RowCount, Is.EqualTo(12));
        Assert.That(reader.FileCount, Is.EqualTo(2));
        var all = reader.ReadAll();
        for (var row = 0; row < reader.RowCount; row++)
        {
            var image = expected[all.Items[row]];
            Assert.That(all.Paths[row], Is.EqualTo(image.Path));
            Assert.That(all.Labels[row], Is.EqualTo(image.Label));
            Assert.That(all.Features.Row(row).ToArray().Select(BitConverter.SingleToInt32Bits), Is.EqualTo(image.Features!.Select(BitConverter.SingleToInt32Bits)), $"row {row}");
        }

        var view = MoCoStore.Load(new MLContext(seed: 0), _store);
        var fromView = view.GetColumn<float[]>(MoCoStore.FeaturesColumn).ToArray();
        Assert.That(fromView.SelectMany(f => f), Is.EqualTo(all.Features.Values), "the IDataView's Features column");
    }

    [Test]
    public void Its_files_take_the_page_reader()
    {
        foreach (var (file, rows) in new[] { ("part-000000.parquet", 8), ("part-000001.parquet", 4) })
        {
            var reader = new ParquetFeatureReader(Path.Combine(_store, file), rows, 64, new ParquetBuffers());
            Assert.That(reader.ReadPages, Is.True, file);
        }
    }
}
