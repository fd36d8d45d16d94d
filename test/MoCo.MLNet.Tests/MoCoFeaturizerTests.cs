using MoCo.Imaging;
using MoCo.Imaging.Datasets;
using MoCo.MLNet.Runtime;
using MoCo.MLNet.Tests.Support;

namespace MoCo.MLNet.Tests;

// The public featurizer, for each input form, against the reference: MoCo.Imaging's torchvision-exact eval transform
// and MoCo.Training's eval forward in libtorch (Support/ReferenceEncoder), tolerance 1e-4 of the scale; its streaming
// form against its batch form (same session, same batches: equal bit for bit).
public class MoCoFeaturizerTests
{
    private TempDir _dir = null!;
    private ReferenceEncoder _rgb = null!;
    private string _model = null!;
    private string[] _files = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _dir = new TempDir();
        _rgb = new ReferenceEncoder(channels: 3, inputSize: 32, resize: 36, seed: 7);
        _model = _dir.File("encoder.onnx");
        File.WriteAllBytes(_model, _rgb.OnnxBytes);
        _files = TestImages.Write(_dir.Path, 10, seed: 3).Select(n => Path.Combine(_dir.Path, n)).ToArray();
        Directory.CreateDirectory(_dir.File("jpeg"));
        _files = [.. _files, .. TestImages.Write(_dir.File("jpeg"), 5, seed: 4, jpeg: true).Select(n => Path.Combine(_dir.File("jpeg"), n))];
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _rgb.Dispose();
        _dir.Dispose();
    }

    private static float[][] Rows(float[,] features) =>
        Enumerable.Range(0, features.GetLength(0)).Select(i => Enumerable.Range(0, features.GetLength(1)).Select(j => features[i, j]).ToArray()).ToArray();

    private MoCoFeaturizer Open(int batch = 4, MoCoBadImagePolicy badImages = MoCoBadImagePolicy.Throw, int threads = 2) =>
        MoCoFeaturizer.Open(new MoCoFeaturesOptions { ModelPath = _model, BatchSize = batch, DecodeThreads = threads, IntraOpThreads = threads, BadImages = badImages });

    [Test]
    public void Files_encoded_bytes_decoded_images_and_dataset_items_match_the_reference()
    {
        using var featurizer = Open();
        Assert.That(featurizer.FeatureDimension, Is.EqualTo(_rgb.FeatureDimension));
        Assert.That(featurizer.Preprocessing.CropSize, Is.EqualTo(32));
        Assert.That(featurizer.Preprocessing.ResizeShorterSide, Is.EqualTo(36));
        Assert.That(featurizer.ModelSha256, Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(_rgb.OnnxBytes))));
        var reference = _rgb.FeaturesOfFiles(_files);

        FeatureAssert.Close(reference, Rows(featurizer.Featurize(_files.Select(MoCoImageInput.FromFile).ToArray())));
        FeatureAssert.Close(reference, Rows(featurizer.Featurize(_files.Select(f => MoCoImageInput.FromEncoded(File.ReadAllBytes(f), f)).ToArray())));
        var decoded = _files.Select(f => MoCoImageInput.FromDecoded(ImageDecoder.Decode(f, new ImageDecodeOptions(Channels: 3)), f)).ToArray();
        FeatureAssert.Close(reference, Rows(featurizer.Featurize(decoded)));
        var dataset = ImageDatasets.FromList(WriteList(_files));
        FeatureAssert.Close(reference, Rows(featurizer.Featurize(Enumerable.Range(0, dataset.Count).Select(i => MoCoImageInput.FromDataset(dataset, i)).ToArray())));
        Assert.That(featurizer.Featurize([]), Has.Length.EqualTo(0));
    }

    [Test]
    public void Relative_paths_resolve_against_the_image_folder()
    {
        using var featurizer = MoCoFeaturizer.Open(new MoCoFeaturesOptions { ModelPath = _model, ImageFolder = _dir.Path });
        var names = _files.Take(3).Select(Path.GetFileName).ToArray();
        FeatureAssert.Close(_rgb.FeaturesOfFiles(_files.Take(3).ToArray()), Rows(featurizer.Featurize(names.Select(n => MoCoImageInput.FromFile(n!)).ToArray())));
    }

    [Test]
    public void Streaming_gives_the_batch_results_in_input_order_with_offsets([Values(1, 3, 16)] int batch, [Values(0, 1, 2)] int placement)
    {
        // Decoding chosen from the measured times (0), beside ORT (1) or on the infer thread (2): the same floats.
        using var featurizer = MoCoFeaturizer.Open(new MoCoFeaturesOptions
        {
            ModelPath = _model, BatchSize = batch, DecodeThreads = 2, IntraOpThreads = 2, DecodePlacement = (DecodePlacementMode)placement,
        });
        // 4 passes over the files: more batches than the read-ahead holds, so its buffers are recycled.
        var inputs = Enumerable.Range(0, 4).SelectMany(_ => _files).ToArray();
        var expected = Rows(featurizer.Featurize(inputs.Select(MoCoImageInput.FromFile).ToArray()));
        var rows = new List<float[]>();
        var offsets = new List<long>();
        foreach (var b in featurizer.FeaturizeAll(inputs.Select(MoCoImageInput.FromFile)))
        {
            offsets.Add(b.Offset);
            Assert.That(b.Count, Is.EqualTo(Math.Min(batch, inputs.Length - (int)b.Offset)));
            Assert.That(b.AllFeatures.Length, Is.EqualTo(b.Count * featurizer.FeatureDimension));
            for (var i = 0; i < b.Count; i++)
            {
                Assert.That(b.Error(i), Is.Null);
                Assert.That(b.Source(i), Is.EqualTo(inputs[b.Offset + i]));
                rows.Add(b.Features(i).ToArray());
            }
        }

        Assert.That(offsets, Is.EqualTo(Enumerable.Range(0, (inputs.Length + batch - 1) / batch).Select(k => (long)k * batch)));
        Assert.That(rows, Is.EqualTo(expected), "same session and batches: the same floats");
    }

    [Test]
    public void MoCoFeatures_runs_the_same_featurizer_and_gives_the_same_floats()
    {
        var ml = new Microsoft.ML.MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(_files.Select(f => new PathRow { ImagePath = f }).ToArray());
        using var transformer = ml.Transforms.MoCoFeatures(new MoCoFeaturesOptions { InputColumnName = "ImagePath", ModelPath = _model, BatchSize = 4, DecodeThreads = 2, IntraOpThreads = 2 }).Fit(data);
        var fromPipeline = ml.Data.CreateEnumerable<FeaturesRow>(transformer.Transform(data), reuseRowObject: false).Select(r => r.Features).ToArray();
        using var featurizer = Open(batch: 4);
        Assert.That(fromPipeline, Is.EqualTo(Rows(featurizer.Featurize(_files.Select(MoCoImageInput.FromFile).ToArray()))));
    }

    [Test]
    public void Bad_images_throw_naming_the_image_or_give_NaN_rows()
    {
        var notAnImage = _dir.File("notes.png");
        File.WriteAllText(notAnImage, "not an image");
        MoCoImageInput[] inputs = [MoCoImageInput.FromFile(_files[0]), MoCoImageInput.FromFile(notAnImage), MoCoImageInput.FromFile(""), MoCoImageInput.FromFile(_files[1])];

        using (var strict = Open())
        {
            var e = Assert.Throws<InvalidDataException>(() => strict.Featurize(inputs));
            Assert.That(e!.Message, Does.Contain("image 1").And.Contain("notes.png").And.Contain("MoCoBadImagePolicy.NaN"));
        }

        using var lenient = Open(badImages: MoCoBadImagePolicy.NaN);
        var rows = Rows(lenient.Featurize(inputs));
        Assert.That(rows.Select(r => r.All(float.IsNaN)), Is.EqualTo(new[] { false, true, true, false }));
        FeatureAssert.Close(_rgb.FeaturesOfFiles([_files[0], _files[1]]), [rows[0], rows[3]]);

        // Streaming never throws for a bad image, whatever the policy: the batch says why.
        using var streaming = Open(batch: 2);
        var errors = streaming.FeaturizeAll(inputs).SelectMany(b => Enumerable.Range(0, b.Count).Select(b.Error).ToArray()).ToArray();
        Assert.That(errors[0], Is.Null);
        Assert.That(errors[1], Does.Contain("unrecognised signature"));
        Assert.That(errors[2], Does.Contain("empty"));
        Assert.That(errors[3], Is.Null);
    }

    [Test]
    public void A_batch_of_bad_images_only_gives_NaN_rows()
    {
        using var featurizer = Open(batch: 2, badImages: MoCoBadImagePolicy.NaN);
        var rows = Rows(featurizer.Featurize([MoCoImageInput.FromFile(_dir.File("missing-1.png")), MoCoImageInput.FromFile(_dir.File("missing-2.png")), MoCoImageInput.FromFile(_files[2])]));
        Assert.That(rows.Select(r => r.All(float.IsNaN)), Is.EqualTo(new[] { true, true, false }));
    }

    [Test]
    public void A_failing_input_sequence_fails_after_the_batches_before_it()
    {
        using var featurizer = Open(batch: 2);
        IEnumerable<MoCoImageInput> Inputs()
        {
            for (var i = 0; i < 5; i++)
            {
                yield return MoCoImageInput.FromFile(_files[i]);
            }

            throw new IOException("the listing broke");
        }

        var seen = 0;
        var e = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var b in featurizer.FeaturizeAll(Inputs()))
            {
                seen += b.Count;
            }
        });
        Assert.That(e!.InnerException, Is.InstanceOf<IOException>());
        Assert.That(e.Message, Does.Contain("the listing broke"));
        Assert.That(seen, Is.EqualTo(4), "the two whole batches read before the failure");
    }

    [Test]
    public void Leaving_the_loop_early_stops_reading_the_inputs()
    {
        using var featurizer = Open(batch: 2);
        var pulled = 0;
        IEnumerable<MoCoImageInput> Endless()
        {
            for (var i = 0; ; i++)
            {
                Interlocked.Increment(ref pulled);
                yield return MoCoImageInput.FromFile(_files[i % _files.Length]);
            }
        }

        foreach (var b in featurizer.FeaturizeAll(Endless()))
        {
            Assert.That(b.Count, Is.EqualTo(2));
            break;
        }

        var atStop = Volatile.Read(ref pulled);
        Thread.Sleep(200);
        Assert.That(Volatile.Read(ref pulled), Is.EqualTo(atStop), "nothing is read after the enumerator is disposed");
        Assert.That(atStop, Is.LessThanOrEqualTo(5 * 2 + 1), "a few batches ahead at most");
    }

    [Test]
    public void Decoded_images_handed_over_are_disposed_by_the_featurizer_even_when_it_stops_early()
    {
        using var featurizer = Open(batch: 2);
        var handed = new System.Collections.Concurrent.ConcurrentQueue<DecodedImage>();
        IEnumerable<MoCoImageInput> Decoded()
        {
            for (var i = 0; ; i++)
            {
                var image = ImageDecoder.Decode(_files[i % _files.Length], new ImageDecodeOptions(Channels: 3));
                handed.Enqueue(image);
                yield return MoCoImageInput.FromDecoded(image);
            }
        }

        foreach (var b in featurizer.FeaturizeAll(Decoded()))
        {
            Assert.That(b.Error(0), Is.Null);
            break;
        }

        Assert.That(handed, Is.Not.Empty);
        Assert.That(handed.Select(image => (TestDelegate)(() => _ = image.Pixels.Length)), Has.All.Matches<TestDelegate>(d => Assert.Catch<ObjectDisposedException>(d) is not null));
    }

    [Test]
    public void Nothing_runs_until_the_first_batch_is_asked_for()
    {
        using var featurizer = Open();
        var pulled = 0;
        var batches = featurizer.FeaturizeAll(_files.Select(f =>
        {
            Interlocked.Increment(ref pulled);
            return MoCoImageInput.FromFile(f);
        }));
        Thread.Sleep(100);
        Assert.That(pulled, Is.Zero);
        Assert.That(batches.Sum(b => b.Count), Is.EqualTo(_files.Length));
    }

    [Test]
    public void Several_threads_share_one_featurizer()
    {
        using var featurizer = Open(batch: 3);
        var inputs = _files.Select(MoCoImageInput.FromFile).ToArray();
        var expected = Rows(featurizer.Featurize(inputs));
        var results = new float[4][][];
        Parallel.For(0, 4, t => results[t] = featurizer.FeaturizeAll(inputs).SelectMany(b => Enumerable.Range(0, b.Count).Select(i => b.Features(i).ToArray()).ToArray()).ToArray());
        Assert.That(results, Is.All.EqualTo(expected));
    }

    [Test]
    public void Disposing_releases_the_session()
    {
        var featurizer = Open();
        featurizer.Dispose();
        featurizer.Dispose();
        Assert.That(() => featurizer.Featurize([MoCoImageInput.FromFile(_files[0])]), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void Bad_arguments_fail_before_any_work()
    {
        Assert.That(() => MoCoFeaturizer.Open(_dir.File("nope.onnx")), Throws.InstanceOf<FileNotFoundException>().With.Message.Contains("nope.onnx"));
        Assert.That(() => MoCoFeaturizer.Open(new MoCoFeaturesOptions { ModelPath = _model, BatchSize = 0 }), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => MoCoImageInput.FromFile(null!), Throws.ArgumentNullException);
        using var featurizer = Open();
        Assert.That(() => featurizer.Featurize([default]), Throws.ArgumentException.With.Message.Contains("empty MoCoImageInput"));
        Assert.That(() => featurizer.FeaturizeAll(null!), Throws.ArgumentNullException);
    }

    private sealed class FeaturesRow
    {
        public float[] Features { get; set; } = [];
    }

    private string WriteList(IEnumerable<string> files)
    {
        var list = _dir.File("list.txt");
        File.WriteAllLines(list, files);
        return list;
    }
}
