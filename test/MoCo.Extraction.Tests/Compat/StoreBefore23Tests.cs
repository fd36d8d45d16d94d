using MoCo.Extraction.Sources;
using MoCo.Extraction.Store;
using MoCo.MLNet.Tests.Support;

namespace MoCo.Extraction.Tests.Compat;

// A store written by the moco before the encoder-metadata contract (test/Fixtures/before-23/store, from rgb32.onnx)
// is still one that today's extract resumes: the preprocessing it recorded is the one today's code describes for the
// same model, and a new store of the same model and images holds the same features, bit for bit.
[NonParallelizable]
public class StoreBefore23Tests
{
    private TempDir _dir = null!;
    private string _model = null!, _images = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _dir = new TempDir();
        _model = _dir.File("rgb32.onnx");
        File.Copy(Before23.File("rgb32.onnx"), _model);
        _images = _dir.File("images");
        foreach (var file in Before23.ImagePaths())
        {
            var target = Path.Combine(_dir.Path, Path.GetRelativePath(Before23.Folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [OneTimeTearDown]
    public void TearDown() => _dir.Dispose();

    private ExtractionSummary Run(string store) => ExtractionJob.Run(new ExtractionOptions
    {
        ModelPath = _model, Data = _images, Out = store, Format = StoreFormat.Npy, BatchSize = 4, Threads = 1,
    });

    private string CopyOfTheOldStore(string name)
    {
        var store = _dir.File(name);
        Directory.CreateDirectory(store);
        foreach (var file in Directory.GetFiles(Before23.File("store")))
        {
            File.Copy(file, Path.Combine(store, Path.GetFileName(file)));
        }

        return store;
    }

    /// <summary>The store's images by path from "images/" on (the old store names the machine it was made on), read with
    /// plain SQL and the .npy format's specification.</summary>
    private static Dictionary<string, (int Label, string Status, float[] Features)> Images(string store)
    {
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(store, Manifest.FileName)};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT path, label, shard, row, status FROM images";
        using var reader = command.ExecuteReader();
        var files = new Dictionary<string, float[][]>();
        var result = new Dictionary<string, (int, string, float[])>();
        while (reader.Read())
        {
            var shard = reader.GetString(2);
            if (!files.TryGetValue(shard, out var rows))
            {
                files[shard] = rows = Before23.Npy(Path.Combine(store, shard));
            }

            var path = reader.GetString(0);
            result[path[(path.LastIndexOf("/images/", StringComparison.Ordinal) + 1)..]] = (reader.GetInt32(1), reader.GetString(4), rows[reader.GetInt32(3)]);
        }

        return result;
    }

    [Test]
    public void A_store_written_before_is_resumed_with_nothing_left_to_do()
    {
        var store = CopyOfTheOldStore("resumed");
        string preprocessing;
        using (var manifest = Manifest.Open(store))
        {
            var old = manifest.ReadSettings();
            preprocessing = old["preprocessing"];
            Assert.That(preprocessing, Is.EqualTo("resize 37, crop 32, channels 3, mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]"));
            // The manifest names the machine's paths it was made on; point it at this copy (the names hash into the fingerprint).
            manifest.WriteSettings([("model_path", Path.GetFullPath(_model)), ("source", Path.GetFullPath(_images)),
                ("source_fingerprint", ExtractionSource.Open(_images).Fingerprint())]);
        }

        var summary = Run(store);
        Assert.That((summary.Total, summary.DoneAtStart, summary.Extracted, summary.Failed), Is.EqualTo((12, 12, 0, 0)));
        using var reopened = Manifest.Open(store);
        Assert.That(reopened.ReadSettings()["preprocessing"], Is.EqualTo(preprocessing));
    }

    [Test]
    public void A_new_store_of_the_same_model_holds_the_old_stores_features_bit_for_bit()
    {
        var store = _dir.File("new");
        Assert.That(Run(store).Extracted, Is.EqualTo(12));
        var old = Images(Before23.File("store"));
        var fresh = Images(store);
        Assert.That(fresh.Keys, Is.EquivalentTo(old.Keys));
        foreach (var (name, image) in fresh)
        {
            Assert.That(image.Features, Is.EqualTo(old[name].Features), name);
            Assert.That((image.Label, image.Status), Is.EqualTo((old[name].Label, old[name].Status)), name);
        }

        using var manifest = Manifest.Open(store);
        using var oldManifest = Manifest.Open(CopyOfTheOldStore("old-settings"));
        Assert.That(manifest.ReadSettings()["preprocessing"], Is.EqualTo(oldManifest.ReadSettings()["preprocessing"]));
    }
}
