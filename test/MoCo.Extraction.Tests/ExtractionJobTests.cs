using MoCo.Extraction.Sources;
using MoCo.Extraction.Store;
using MoCo.Extraction.Tests.Support;
using MoCo.MLNet.Tests.Support;
using SkiaSharp;

namespace MoCo.Extraction.Tests;

// In-process jobs over small fixtures; every store is read back by StoreContents (plain SQL, Parquet.Net's class
// serializer, NumPy), never by the store's own code. Reference features: MoCo.Training's libtorch eval forward of the
// same encoder on MoCo.Imaging's torchvision-exact preprocessing (ReferenceEncoder), tolerance 1e-4.
[NonParallelizable]
public class ExtractionJobTests
{
    private TempDir _dir = null!;
    private ReferenceEncoder _rgb = null!;
    private string _model = null!;
    private string _images = null!;
    private Dictionary<string, int> _labels = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _dir = new TempDir();
        _rgb = new ReferenceEncoder(channels: 3, inputSize: 16, resize: 20, width: 4, seed: 3);
        _model = _dir.File("encoder.onnx");
        File.WriteAllBytes(_model, _rgb.OnnxBytes);
        _images = _dir.File("images");
        _labels = [];
        foreach (var (cls, label, jpeg) in new[] { ("cat", 0, false), ("dog", 1, true) })
        {
            var folder = Path.Combine(_images, cls);
            Directory.CreateDirectory(folder);
            foreach (var name in TestImages.Write(folder, 7 + label, seed: 10 + label, jpeg: jpeg))
            {
                _labels[Path.Combine(folder, name)] = label;
            }
        }
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _rgb.Dispose();
        _dir.Dispose();
    }

    private ExtractionSummary Run(string data, string store, StoreFormat format = StoreFormat.Parquet, int batch = 4, string shard = "0/1", string? model = null) =>
        ExtractionJob.Run(new ExtractionOptions
        {
            ModelPath = model ?? _model, Data = data, Out = store, Format = format, BatchSize = batch, Threads = 1, ItemsPerFile = 5, Shard = JobShard.Parse(shard),
        });

    private static float MaxDifference(float[] a, float[] b)
    {
        Assert.That(a, Has.Length.EqualTo(b.Length));
        return a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
    }

    [Test]
    public void Parquet_store_holds_every_image_once_with_the_reference_features_paths_and_labels()
    {
        var store = _dir.File("parquet-store");
        var summary = Run(_images, store);
        Assert.That((summary.Extracted, summary.Failed, summary.FilesWritten), Is.EqualTo((15, 0, 2))); // 5 items per file, rounded up to whole batches: 8 + 7

        var stored = StoreContents.Read(store);
        Assert.That(stored.Values.Select(s => s.Path), Is.EquivalentTo(_labels.Keys));
        var paths = stored.Values.OrderBy(s => s.Item).Select(s => s.Path).ToArray();
        Assert.That(paths, Is.EqualTo(_labels.Keys.Order(StringComparer.Ordinal).ToArray()), "source order: class folders, then files, ordinal");
        var reference = _rgb.FeaturesOfFiles(paths);
        foreach (var (image, expected) in stored.Values.OrderBy(s => s.Item).Zip(reference))
        {
            Assert.That(image.Status, Is.EqualTo("ok"));
            Assert.That(image.Label, Is.EqualTo(_labels[image.Path]));
            Assert.That(MaxDifference(image.Features!, expected), Is.LessThan(1e-4), image.Path);
        }
    }

    [Test]
    public void Npy_store_equals_the_parquet_store_bit_for_bit()
    {
        var parquet = StoreContents.Read(Run(_images, _dir.File("cmp-parquet")).Store);
        var npy = StoreContents.Read(Run(_images, _dir.File("cmp-npy"), StoreFormat.Npy).Store);
        Assert.That(npy.Keys, Is.EquivalentTo(parquet.Keys));
        foreach (var (item, image) in npy)
        {
            Assert.That(image.Features, Is.EqualTo(parquet[item].Features), $"item {item}");
            Assert.That(image.Label, Is.EqualTo(parquet[item].Label));
        }
    }

    [Test]
    public void Odd_files_are_recorded_as_failed_with_a_reason_and_the_job_goes_on()
    {
        var folder = _dir.File("odd");
        Directory.CreateDirectory(folder);
        var good = TestImages.Write(folder, 3, seed: 30).Select(n => Path.Combine(folder, n)).ToArray();
        var scratch = _dir.File("odd-scratch");
        Directory.CreateDirectory(scratch);
        var jpeg = Path.Combine(scratch, TestImages.Write(scratch, 1, seed: 31, jpeg: true)[0]);
        OddFiles.Truncated(Path.Combine(folder, "truncated.jpg"), jpeg);
        OddFiles.NotAnImage(Path.Combine(folder, "notes.png"));
        OddFiles.Huge(Path.Combine(folder, "huge.png"), good[0]);
        OddFiles.CmykAndSixteenBit(Path.Combine(folder, "cmyk.jpg"), Path.Combine(folder, "gray16.png"));

        var summary = Run(folder, _dir.File("odd-store"));
        Assert.That((summary.Extracted, summary.Failed), Is.EqualTo((5, 3)));
        var stored = StoreContents.Read(summary.Store).Values.ToDictionary(s => Path.GetFileName(s.Path));
        foreach (var name in new[] { "truncated.jpg", "notes.png", "huge.png" })
        {
            Assert.That(stored[name].Status, Is.EqualTo("failed"), name);
            Assert.That(stored[name].Error, Does.Contain(name), "the reason names the file");
            Assert.That(stored[name].Features, Is.Null);
        }

        Assert.That(stored["notes.png"].Error, Does.Contain("unrecognised signature"));
        Assert.That(stored["huge.png"].Error, Does.Contain("40000").Or.Contain("pixels"));
        var readable = good.Append(Path.Combine(folder, "cmyk.jpg")).Append(Path.Combine(folder, "gray16.png")).ToArray();
        foreach (var (path, expected) in readable.Zip(_rgb.FeaturesOfFiles(readable)))
        {
            var image = stored[Path.GetFileName(path)];
            Assert.That(image.Status, Is.EqualTo("ok"), path);
            Assert.That(MaxDifference(image.Features!, expected), Is.LessThan(1e-4), path);
        }
    }

    [Test]
    public void A_store_refuses_another_model_or_format_and_a_finished_store_has_nothing_left_to_do()
    {
        var store = _dir.File("refuse-store");
        Run(_images, store);
        using (var other = new ReferenceEncoder(channels: 3, inputSize: 16, resize: 24, width: 4, seed: 4))
        {
            var otherModel = _dir.File("other.onnx");
            File.WriteAllBytes(otherModel, other.OnnxBytes);
            var e = Assert.Throws<InvalidOperationException>(() => Run(_images, store, model: otherModel));
            Assert.That(e!.Message, Does.Contain("model (SHA-256)").And.Contain("preprocessing").And.Contain("resize 24").And.Contain("new --out"));
        }

        var f = Assert.Throws<InvalidOperationException>(() => Run(_images, store, StoreFormat.Npy));
        Assert.That(f!.Message, Does.Contain("format: the store has parquet, this run has npy"));
        var s = Assert.Throws<InvalidOperationException>(() => Run(_images, store, shard: "1/2"));
        Assert.That(s!.Message, Does.Contain("--shard"));

        var again = Run(_images, store);
        Assert.That((again.DoneAtStart, again.Extracted, again.FilesWritten), Is.EqualTo((15, 0, 0)));
        Assert.That(StoreContents.Read(store), Has.Count.EqualTo(15));
    }

    [Test]
    public void A_run_stopped_while_batches_are_read_ahead_resumes_to_the_clean_run_bit_for_bit()
    {
        var clean = StoreContents.Read(Run(_images, _dir.File("stop-clean"), batch: 2).Store);
        var store = _dir.File("stop-store");
        using var cancel = new CancellationTokenSource();
        // Stopped after the second batch: the read-ahead has decoded and run further batches, which must not reach the store.
        var first = ExtractionJob.Run(
            new ExtractionOptions { ModelPath = _model, Data = _images, Out = store, BatchSize = 2, Threads = 1, ItemsPerFile = 2 },
            p =>
            {
                if (p.Done - p.DoneAtStart >= 4)
                {
                    cancel.Cancel();
                }
            },
            cancel.Token);
        Assert.That((first.Stopped, first.Extracted, first.FilesWritten), Is.EqualTo((true, 4, 2)));
        Assert.That(StoreContents.Read(store).Keys, Is.EquivalentTo(new[] { 0, 1, 2, 3 }));

        var resumed = ExtractionJob.Run(new ExtractionOptions { ModelPath = _model, Data = _images, Out = store, BatchSize = 2, Threads = 1, ItemsPerFile = 2 });
        Assert.That((resumed.Stopped, resumed.DoneAtStart, resumed.Extracted), Is.EqualTo((false, 4, 11)));
        var stored = StoreContents.Read(store);
        Assert.That(stored.Keys, Is.EquivalentTo(clean.Keys));
        foreach (var (item, image) in stored)
        {
            Assert.That(image.Features, Is.EqualTo(clean[item].Features), $"item {item}: same batches, same floats");
        }
    }

    [Test]
    public void Shards_split_the_source_disjointly_and_merge_into_the_whole_store()
    {
        var whole = StoreContents.Read(Run(_images, _dir.File("whole")).Store);
        var parts = Enumerable.Range(0, 3).Select(i => Run(_images, _dir.File($"shard{i}"), shard: $"{i}/3").Store).ToArray();
        var items = parts.Select(p => StoreContents.Read(p).Keys.ToHashSet()).ToArray();
        for (var i = 0; i < 3; i++)
        {
            Assert.That(items[i], Is.EquivalentTo(Enumerable.Range(0, 15).Where(k => k % 3 == i)), $"shard {i}/3");
        }

        var merged = _dir.File("merged");
        var (settings, count) = StoreMerge.Merge(merged, parts);
        Assert.That((settings.JobShard, count), Is.EqualTo(("0/1", 15)));
        var joined = StoreContents.Read(merged);
        Assert.That(joined.Keys, Is.EquivalentTo(whole.Keys));
        foreach (var (item, image) in joined)
        {
            // Shards batch other images together than the whole run does; ONNX Runtime's kernels need not give
            // bit-identical values across batch compositions, hence a tolerance here (resumes, with equal batches, are exact).
            Assert.That(MaxDifference(image.Features!, whole[item].Features!), Is.LessThan(1e-5), $"item {item}");
            Assert.That(image.Path, Is.EqualTo(whole[item].Path));
        }

        Assert.That(Run(_images, merged).Extracted, Is.Zero, "the merged store is the whole source's, complete");
        Assert.Throws<InvalidOperationException>(() => StoreMerge.Merge(_dir.File("merged-twice"), [parts[0], merged]));
        Assert.Throws<IOException>(() => StoreMerge.Merge(merged, parts));
    }

    [Test]
    public void Idx_source_gives_the_features_of_the_same_images_as_png_files()
    {
        using var gray = new ReferenceEncoder(channels: 1, inputSize: 16, resize: 20, width: 4, seed: 6);
        var model = _dir.File("gray.onnx");
        File.WriteAllBytes(model, gray.OnnxBytes);
        const int Count = 11, Side = 28;
        var rng = new Random(5);
        var pixels = new byte[Count * Side * Side];
        rng.NextBytes(pixels);
        var labels = Enumerable.Range(0, Count).Select(i => (byte)(i % 4)).ToArray();
        var idx = _dir.File("idx");
        Directory.CreateDirectory(idx);
        Idx.Write(idx, "t10k", pixels, Count, Side, Side, labels);

        var pngs = _dir.File("idx-as-png");
        Directory.CreateDirectory(pngs);
        var lines = new List<string>();
        for (var i = 0; i < Count; i++)
        {
            using var bitmap = new SKBitmap(new SKImageInfo(Side, Side, SKColorType.Gray8, SKAlphaType.Opaque));
            System.Runtime.InteropServices.Marshal.Copy(pixels, i * Side * Side, bitmap.GetPixels(), Side * Side);
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            var name = $"{i:D2}.png";
            File.WriteAllBytes(Path.Combine(pngs, name), data.ToArray());
            lines.Add($"{name},{labels[i]}");
        }

        File.WriteAllLines(Path.Combine(pngs, "list.csv"), ["path,label", .. lines]);
        var fromIdx = StoreContents.Read(Run($"idx:{idx}:test", _dir.File("idx-store"), model: model).Store);
        var fromPng = StoreContents.Read(Run(Path.Combine(pngs, "list.csv"), _dir.File("png-store"), model: model).Store);
        Assert.That(fromIdx.Keys, Is.EquivalentTo(Enumerable.Range(0, Count)));
        for (var i = 0; i < Count; i++)
        {
            Assert.That(fromIdx[i].Label, Is.EqualTo(labels[i]));
            Assert.That(fromIdx[i].Path, Does.EndWith($"[{i}]"));
            Assert.That(fromIdx[i].Features, Is.EqualTo(fromPng[i].Features), $"image {i}: same pixels, same batches → same features");
        }

        var reference = gray.FeaturesOfFiles(Enumerable.Range(0, Count).Select(i => Path.Combine(pngs, $"{i:D2}.png")).ToArray());
        Assert.That(MaxDifference(fromIdx[3].Features!, reference[3]), Is.LessThan(1e-4));
    }
}
