using MoCo.Extraction.Reading;
using MoCo.Extraction.Sources;
using MoCo.Extraction.Store;
using MoCo.Extraction.Tests.Support;
using MoCo.MLNet;
using MoCo.MLNet.Tests.Support;

namespace MoCo.Extraction.Tests.Reading;

// The public reader against references that share none of its code: StoreContents (plain SQL, Python's Parquet reader
// and Parquet.Net's class deserializer, NumPy) for the bytes, bit for bit; MoCo.Training's libtorch forward of the same
// encoder (ReferenceEncoder, 1e-4) and MoCoFeaturizer on the same files (1e-5: other batches) for the meaning.
[NonParallelizable]
public class FeatureStoreReaderTests
{
    private TempDir _dir = null!;
    private ReferenceEncoder _rgb = null!;
    private string _model = null!;
    private string _images = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _dir = new TempDir();
        _rgb = new ReferenceEncoder(channels: 3, inputSize: 16, resize: 20, width: 4, seed: 3);
        _model = _dir.File("encoder.onnx");
        File.WriteAllBytes(_model, _rgb.OnnxBytes);
        _images = _dir.File("images");
        foreach (var (cls, count) in new[] { ("cat", 7), ("dog", 6) })
        {
            var folder = Path.Combine(_images, cls);
            Directory.CreateDirectory(folder);
            TestImages.Write(folder, count, seed: count, jpeg: cls == "dog");
        }

        File.WriteAllBytes(Path.Combine(_images, "dog", "broken.png"), [1, 2, 3]);
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _rgb.Dispose();
        _dir.Dispose();
    }

    private string Extract(string name, StoreFormat format, string shard = "0/1", string? model = null)
    {
        var store = _dir.File(name);
        ExtractionJob.Run(new ExtractionOptions
        {
            ModelPath = model ?? _model, Data = _images, Out = store, Format = format, BatchSize = 4, Threads = 1, ItemsPerFile = 5, Shard = JobShard.Parse(shard),
        });
        return store;
    }

    /// <summary>The reader's rows against StoreContents' independent reading of the same store: same images, same bytes.</summary>
    private static void AssertEqualsIndependentReading(string store)
    {
        var reader = FeatureStoreReader.Open(store);
        var expected = StoreContents.Read(store).Values.Where(s => s.Status == "ok").ToDictionary(s => s.Item);
        var all = reader.ReadAll();
        Assert.That(reader.RowCount, Is.EqualTo(expected.Count));
        Assert.That(all.Items, Is.EquivalentTo(expected.Keys));
        for (var row = 0; row < reader.RowCount; row++)
        {
            var image = expected[all.Items[row]];
            Assert.That(all.Paths[row], Is.EqualTo(image.Path));
            Assert.That(all.Labels[row], Is.EqualTo(image.Label));
            Assert.That(all.Features.Row(row).ToArray(), Is.EqualTo(image.Features), $"row {row} ({image.Path}), bit for bit");
        }
    }

    [TestCase("Parquet")]
    [TestCase("Npy")]
    public void Rows_are_the_bytes_extraction_wrote_with_their_items_paths_and_labels(string formatName) =>
        AssertEqualsIndependentReading(Extract($"bytes-{formatName}", Enum.Parse<StoreFormat>(formatName)));

    [TestCase("Parquet")]
    [TestCase("Npy")]
    public void Features_are_the_encoders_features_of_each_image(string formatName)
    {
        var format = Enum.Parse<StoreFormat>(formatName);
        var reader = FeatureStoreReader.Open(Extract($"meaning-{format}", format));
        var all = reader.ReadAll();
        var reference = _rgb.FeaturesOfFiles(all.Paths);
        using var featurizer = reader.OpenFeaturizer();
        var again = featurizer.Featurize(all.Paths.Select(MoCoImageInput.FromFile).ToList());
        for (var row = 0; row < reader.RowCount; row++)
        {
            for (var d = 0; d < reader.FeatureDimension; d++)
            {
                Assert.That(all.Features.Row(row)[d], Is.EqualTo(reference[row][d]).Within(1e-4), $"libtorch, row {row} value {d}");
                Assert.That(all.Features.Row(row)[d], Is.EqualTo(again[row, d]).Within(1e-5), $"MoCoFeaturizer, row {row} value {d}");
            }
        }
    }

    [TestCase("Parquet")]
    [TestCase("Npy")]
    public void A_merged_store_reads_as_its_parts_one_after_the_other(string formatName)
    {
        var format = Enum.Parse<StoreFormat>(formatName);
        var parts = new[] { Extract($"part0-{format}", format, "0/2"), Extract($"part1-{format}", format, "1/2") };
        var merged = _dir.File($"merged-{format}");
        StoreMerge.Merge(merged, parts);
        AssertEqualsIndependentReading(merged);

        var whole = FeatureStoreReader.Open(merged).ReadAll();
        var pieces = parts.Select(p => FeatureStoreReader.Open(p).ReadAll()).ToList();
        Assert.That(whole.Items, Is.EqualTo(pieces.SelectMany(p => p.Items)), "store order: the first part's files, then the second's");
        Assert.That(whole.Features.Values, Is.EqualTo(pieces.SelectMany(p => p.Features.Values)));
        Assert.That(FeatureStoreReader.Open(merged).JobShard, Is.EqualTo("0/1"));
    }

    [Test]
    public void Batches_from_any_start_concatenate_to_the_whole_store()
    {
        var reader = FeatureStoreReader.Open(Extract("batches", StoreFormat.Parquet));
        var all = reader.ReadAll();
        Assert.That(reader.FileCount, Is.GreaterThan(1), "the test needs several files");
        for (var start = 0L; start <= reader.RowCount; start++)
        {
            var features = new List<float>();
            var items = new List<int>();
            var position = start;
            foreach (var batch in reader.ReadBatches(FeatureStoreFields.Features | FeatureStoreFields.ItemsAndLabels, start, maxRows: 2))
            {
                Assert.That(batch.Offset, Is.EqualTo(position));
                Assert.That(batch.Count, Is.InRange(1, 2));
                features.AddRange(batch.AllFeatures.ToArray());
                items.AddRange(Enumerable.Range(0, batch.Count).Select(batch.Item));
                Assert.Throws<InvalidOperationException>(() => batch.Path(0), "paths were not asked for");
                position += batch.Count;
            }

            Assert.That(position, Is.EqualTo(reader.RowCount));
            Assert.That(items, Is.EqualTo(all.Items.Skip((int)start)), $"from {start}");
            Assert.That(features, Is.EqualTo(all.Features.Values.Skip((int)start * reader.FeatureDimension)), $"from {start}");
        }
    }

    [Test]
    public void Settings_label_names_and_failures_are_the_stores()
    {
        var store = Extract("settings", StoreFormat.Npy);
        var reader = FeatureStoreReader.Open(store);
        using var featurizer = MoCoFeaturizer.Open(_model);
        Assert.That(reader.ModelPath, Is.EqualTo(Path.GetFullPath(_model)));
        Assert.That(reader.ModelSha256, Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(_model)))));
        Assert.That(reader.Preprocessing, Is.EqualTo(StoreSettings.Describe(featurizer.Preprocessing)));
        Assert.That(reader.FeatureDimension, Is.EqualTo(_rgb.FeatureDimension));
        Assert.That(reader.Format, Is.EqualTo("npy"));
        Assert.That(reader.LabelNames, Is.EqualTo(new[] { "cat", "dog" }));
        Assert.That((reader.Labelled, reader.ClassCount, reader.RowCount, reader.SourceCount), Is.EqualTo((true, 2, 13L, 14)));
        var failure = reader.Failures().Single();
        Assert.That(failure.Path, Does.EndWith("broken.png"));
        Assert.That(failure.Error, Does.Contain("broken.png"));
        Assert.That(reader.Indexed, Is.True);
    }

    [Test]
    public void A_query_featurizer_is_refused_when_the_model_file_changed_or_is_gone()
    {
        var model = _dir.File("moving.onnx");
        File.Copy(_model, model);
        var reader = FeatureStoreReader.Open(Extract("changed-model", StoreFormat.Npy, model: model));
        using (reader.OpenFeaturizer())
        {
        }

        using var other = new ReferenceEncoder(channels: 3, inputSize: 16, resize: 20, width: 4, seed: 4);
        File.WriteAllBytes(model, other.OnnxBytes);
        var changed = Assert.Throws<InvalidOperationException>(() => reader.OpenFeaturizer());
        Assert.That(changed!.Message, Does.Contain("another model").And.Contain(reader.ModelSha256));
        using (reader.OpenFeaturizer(new MoCoFeaturesOptions { ModelPath = _model }))
        {
            // the same bytes elsewhere are the store's model
        }

        File.Delete(model);
        var gone = Assert.Throws<FileNotFoundException>(() => reader.OpenFeaturizer());
        Assert.That(gone!.Message, Does.Contain(model));
    }

    [Test]
    public void A_store_written_before_issue_20_reads_without_its_index_or_label_names()
    {
        var store = _dir.File("before-20");
        Directory.CreateDirectory(store);
        foreach (var file in Directory.GetFiles(Before23.File("store")))
        {
            File.Copy(file, Path.Combine(store, Path.GetFileName(file)));
        }

        var manifest = File.ReadAllBytes(Path.Combine(store, Manifest.FileName));
        var reader = FeatureStoreReader.Open(store);
        Assert.That((reader.Indexed, reader.LabelNames.Count, reader.ClassCount), Is.EqualTo((false, 0, 2)));
        AssertEqualsIndependentReading(store);
        Assert.That(File.ReadAllBytes(Path.Combine(store, Manifest.FileName)), Is.EqualTo(manifest), "a reader never writes");
    }

    [TestCase("Parquet")]
    [TestCase("Npy")]
    public void A_damaged_or_missing_feature_file_is_a_clear_error_naming_it(string formatName)
    {
        var store = Extract($"damaged-{formatName}", Enum.Parse<StoreFormat>(formatName));
        var reader = FeatureStoreReader.Open(store);
        Assert.That(reader.FileCount, Is.EqualTo(2), "the damage is in the second file, read ahead of the first");
        var second = Directory.GetFiles(store, "part-*").Order(StringComparer.Ordinal).ElementAt(1);
        var bytes = File.ReadAllBytes(second);
        File.WriteAllBytes(second, bytes.AsSpan(0, bytes.Length - 8).ToArray());
        var damaged = Assert.Throws<InvalidDataException>(() => reader.ReadAll());
        Assert.That(damaged!.Message, Does.Contain(Path.GetFileName(second)));

        File.Delete(second);
        var missing = Assert.Throws<FileNotFoundException>(() => reader.ReadAll());
        Assert.That(missing!.Message, Does.Contain(Path.GetFileName(second)).And.Contain("missing"));
        Assert.That(reader.ReadBatches(FeatureStoreFields.ItemsAndLabels).Sum(b => b.Count), Is.EqualTo(reader.RowCount), "the manifest alone still reads");
    }

    [Test]
    public void A_folder_without_a_manifest_is_a_clear_error()
    {
        var empty = _dir.File("no-store");
        Directory.CreateDirectory(empty);
        var e = Assert.Throws<FileNotFoundException>(() => FeatureStoreReader.Open(empty));
        Assert.That(e!.Message, Does.Contain("not a feature store"));
    }
}
