using MoCo.Extraction.Reading;
using MoCo.Extraction.Store;
using MoCo.MLNet.Tests.Support;
using Parquet;
using Parquet.Schema;

namespace MoCo.Extraction.Tests.Reading;

// One Parquet feature file read by ParquetFeatureReader: the store writer's files through the page reader, files of
// other layouts (GZIP, BYTE_STREAM_SPLIT) through Parquet.Net's general decoder, both bit for bit equal to what was
// written; files that are not D-value lists refused.
public class ParquetFeatureReaderTests
{
    private TempDir _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDir();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private static float[] Features(int rows, int dimension, int seed)
    {
        var random = new Random(seed);
        var values = Enumerable.Range(0, rows * dimension).Select(_ => random.NextSingle() * 4 - 1).ToArray();
        values[0] = BitConverter.Int32BitsToSingle(0x7FC00042); // a NaN payload
        values[1] = -0f;
        values[2] = BitConverter.Int32BitsToSingle(3);          // a subnormal
        for (var i = 3 * dimension; i < 4 * dimension; i++)
        {
            values[i] = 0f;                                      // a row of zeros (ReLU features often are)
        }

        return values;
    }

    /// <summary>A file as the store writes it (ParquetFeatureWriter).</summary>
    private string WriteAsTheStoreDoes(float[] values, int dimension, bool labelled)
    {
        var part = new FeaturePart(dimension);
        for (var r = 0; r < values.Length / dimension; r++)
        {
            part.AddRow(r, $"images/{r}.png", r % 3, values.AsSpan(r * dimension, dimension));
        }

        var path = _dir.File($"store-{dimension}-{labelled}.parquet");
        using (var file = File.Create(path))
        {
            new ParquetFeatureWriter(labelled, new Dictionary<string, string> { ["k"] = "v" }).Write(file, part);
        }

        return path;
    }

    /// <summary>The same schema written with Parquet.Net's options of another layout, levels as given.</summary>
    private string WriteWithParquetNet(float[] values, int[] repetition, string name, CompressionMethod compression, EncodingHint? hint = null)
    {
        var path = _dir.File(name);
        var features = new ListField("features", new DataField<float>("element"));
        var pathField = new DataField<string>("path");
        var schema = new ParquetSchema(pathField, features);
        var options = new ParquetOptions { CompressionMethod = compression };
        if (hint is { } h)
        {
            options.ColumnEncodingHints[((DataField)features.Item).Path.ToString()] = h;
        }

        var rows = repetition.Count(r => r == 0);
        WriteAsync().GetAwaiter().GetResult();
        return path;

        async Task WriteAsync()
        {
            await using var file = File.Create(path);
            await using var writer = await ParquetWriter.CreateAsync(schema, file, options);
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(pathField, Enumerable.Range(0, rows).Select(r => $"p{r}").ToArray());
            await group.WriteAllPartsAsync<float>((DataField)features.Item, values, Enumerable.Repeat(2, values.Length).ToArray(), repetition, default);
        }
    }

    private static (ParquetFeatureReader Reader, float[] Values) Read(string path, int rows, int dimension)
    {
        var reader = new ParquetFeatureReader(path, rows, dimension, new ParquetBuffers());
        var values = new float[rows * dimension];
        reader.Read(0, values);
        return (reader, values);
    }

    private static void AssertBits(float[] actual, float[] expected) =>
        Assert.That(actual.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(expected.Select(BitConverter.SingleToInt32Bits)), "bit for bit");

    [TestCase(128, 1000, true)]
    [TestCase(128, 1000, false)]
    [TestCase(1, 300, true)]
    [TestCase(5, 7, true)]
    public void The_store_writers_files_read_through_the_pages_bit_for_bit(int dimension, int rows, bool labelled)
    {
        var values = Features(rows, dimension, dimension + rows);
        var (reader, actual) = Read(WriteAsTheStoreDoes(values, dimension, labelled), rows, dimension);
        Assert.That(reader.ReadPages, Is.True, "the store's own layout takes the page reader");
        AssertBits(actual, values);

        var slice = new float[3 * dimension];
        reader.Read(2, slice);
        AssertBits(slice, values.AsSpan(2 * dimension, 3 * dimension).ToArray());
    }

    [Test]
    public void Other_layouts_read_through_Parquet_Net_bit_for_bit()
    {
        const int dimension = 16, rows = 200;
        var values = Features(rows, dimension, 9);
        var repetition = Enumerable.Range(0, values.Length).Select(i => i % dimension == 0 ? 0 : 1).ToArray();
        foreach (var (name, compression, hint) in new (string, CompressionMethod, EncodingHint?)[]
                 {
                     ("gzip.parquet", CompressionMethod.Gzip, null),
                     ("split.parquet", CompressionMethod.Snappy, EncodingHint.ByteSplitStream),
                 })
        {
            var (reader, actual) = Read(WriteWithParquetNet(values, repetition, name, compression, hint), rows, dimension);
            Assert.That(reader.ReadPages, Is.False, $"{name}: a layout the page reader declines");
            AssertBits(actual, values);
        }

        var (plain, again) = Read(WriteWithParquetNet(values, repetition, "none.parquet", CompressionMethod.None), rows, dimension);
        Assert.That(plain.ReadPages, Is.True, "uncompressed PLAIN pages: the page reader");
        AssertBits(again, values);
    }

    [Test]
    public void Rows_of_other_lengths_are_refused_naming_the_file()
    {
        // 200 rows of alternately 3 and 5 values: 800 values and 200 rows, as 200 rows of 4 would have, other levels.
        const int rows = 200;
        var values = Features(rows, 4, 10);
        var repetition = new List<int>();
        for (var r = 0; r < rows; r++)
        {
            repetition.Add(0);
            repetition.AddRange(Enumerable.Repeat(1, r % 2 == 0 ? 2 : 4));
        }

        foreach (var compression in new[] { CompressionMethod.Snappy, CompressionMethod.Gzip })
        {
            var path = WriteWithParquetNet(values, [.. repetition], $"ragged-{compression}.parquet", compression);
            var e = Assert.Throws<InvalidDataException>(() => Read(path, rows, 4));
            Assert.That(e!.Message, Does.Contain(path).And.Contain("4"), compression.ToString());
        }
    }

    [Test]
    public void A_file_that_is_not_Parquet_is_refused_naming_it()
    {
        var path = _dir.File("junk.parquet");
        File.WriteAllBytes(path, new byte[100]);
        Assert.That(Assert.Throws<InvalidDataException>(() => Read(path, 4, 4))!.Message, Does.Contain(path));
    }
}
