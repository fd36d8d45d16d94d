using System.Text.Json;
using MoCo.Cli.Tests.Support;
using MoCo.Extraction.Reading;
using MoCo.MLNet.Tests.Support;
using MoCo.Search.Index;

namespace MoCo.Cli.Tests;

// moco index, neighbors and dedup on stores made by `moco extract`. References: cosine similarities recomputed in double
// from the store's features as FeatureStoreReader reads them; --exact (itself tested against a naive reference in
// MoCo.Search.Tests) for the index; the planted groups of PlantedDuplicates for dedup.
[NonParallelizable]
public class SearchCommandsTests
{
    private string _dir = null!;
    private string _images = null!;
    private string _store = null!;
    private string _model = null!;
    private List<string[]> _groups = null!;
    private List<string> _singletons = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("search-commands-").FullName;
        _images = Path.Combine(_dir, "images");
        (_groups, _singletons) = PlantedDuplicates.WriteColourFields(_images, distinct: 300, planted: 25, seed: 11);
        _model = Path.Combine(_dir, "tiny.onnx");
        File.WriteAllBytes(_model, TinyImageEncoder.Create());
        _store = Path.Combine(_dir, "store");
        var extract = MocoRun.Captured("extract", "--model", _model, "--data", _images, "--out", _store, "--threads", "1", "--quiet");
        Assert.That(extract.Code, Is.Zero, extract.Out + extract.Error);
    }

    [OneTimeTearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }

    private static (string Query, (string Path, double Similarity)[] Neighbors) Json(string line)
    {
        using var json = JsonDocument.Parse(line);
        var neighbors = json.RootElement.GetProperty("neighbors").EnumerateArray()
            .Select(n => (n.GetProperty("path").GetString()!, n.GetProperty("similarity").GetDouble())).ToArray();
        return (json.RootElement.GetProperty("query").GetString()!, neighbors);
    }

    [Test]
    public void Neighbors_through_the_index_equal_exact_search_with_true_cosines_and_never_the_query_itself()
    {
        File.Delete(Path.Combine(_store, StoreIndex.IndexFileName));
        File.Delete(Path.Combine(_store, StoreIndex.SidecarFileName));
        var index = MocoRun.Captured("index", "--store", _store, "--threads", "2");
        Assert.That(index.Code, Is.Zero, index.Error);
        Assert.That(index.Out, Does.Contain("built over 400 rows"));
        Assert.That(MocoRun.Captured("index", "--store", _store).Out, Does.Contain("up to date"));

        var table = FeatureStoreReader.Open(_store).ReadAll();
        foreach (var item in new[] { 0, 17, 250, 399 })
        {
            var approximate = MocoRun.Captured("neighbors", "--store", _store, "--item", $"{item}", "--json");
            var exact = MocoRun.Captured("neighbors", "--store", _store, "--item", $"{item}", "--json", "--exact");
            Assert.That((approximate.Code, exact.Code), Is.EqualTo((0, 0)), approximate.Error + exact.Error);
            var (query, found) = Json(approximate.Out.Trim());
            // The same neighbours as exact search; compared by similarity, since an image and its exact copy tie and may
            // come in either order (each path's similarity is checked against the store below).
            Assert.That(found.Select(n => n.Similarity), Is.EqualTo(Json(exact.Out.Trim()).Neighbors.Select(n => n.Similarity)).Within(1e-5), $"item {item}");
            var row = table.Items.ToList().IndexOf(item);
            Assert.That(query, Is.EqualTo(table.Paths[row]));
            Assert.That(found, Has.Length.EqualTo(10));
            Assert.That(found.Select(n => n.Path), Does.Not.Contain(query));
            Assert.That(found.Select(n => n.Similarity), Is.Ordered.Descending);
            foreach (var (path, similarity) in found)
            {
                var other = table.Paths.ToList().IndexOf(path);
                Assert.That(similarity, Is.EqualTo(Cosine(table.Features.Row(row), table.Features.Row(other))).Within(1e-5));
            }
        }
    }

    [Test]
    public void A_new_image_is_featurised_with_the_store_model_and_a_changed_model_is_refused()
    {
        var original = _singletons[3];
        var outside = Path.Combine(_dir, "outside.png");
        File.Copy(original, outside, overwrite: true);
        var run = MocoRun.Captured("neighbors", "--store", _store, "--image", outside, "--k", "3", "--exact");
        Assert.That(run.Code, Is.Zero, run.Error);
        Assert.That(run.Out, Does.Contain("1. 1.0000  " + original));

        var json = Json(MocoRun.Captured("neighbors", "--store", _store, "--image", outside, "--k", "3", "--exact", "--json").Out.Trim());
        Assert.That(json.Query, Is.EqualTo(outside));
        Assert.That(json.Neighbors[0], Is.EqualTo((original, 1.0)).Using<(string, double)>((a, b) => a.Item1 == b.Item1 && Math.Abs(a.Item2 - b.Item2) < 1e-5));

        using var other = new ReferenceEncoder(channels: 3, inputSize: 16, resize: 16, width: 4, seed: 9);
        var otherModel = Path.Combine(_dir, "other.onnx");
        File.WriteAllBytes(otherModel, other.OnnxBytes);
        MocoRun.AssertOneErrorLine(MocoRun.Captured("neighbors", "--store", _store, "--image", outside, "--exact", "--model", otherModel), "made with another model", 1);
        MocoRun.AssertOneErrorLine(MocoRun.Captured("neighbors", "--store", _store, "--item", "5", "--image", outside), "one of them", 1);
        MocoRun.AssertOneErrorLine(MocoRun.Captured("neighbors", "--store", _store, "--item", "100000", "--exact"), "no readable row", 1);
    }

    private (Dictionary<string, int> GroupOf, int Crops) Dedup(string output, params string[] options)
    {
        var run = MocoRun.Captured(["dedup", "--store", _store, "--out", output, "--exact", .. options]);
        Assert.That(run.Code, Is.Zero, run.Error);
        TestContext.Out.WriteLine(run.Out);
        var lines = File.ReadAllLines(Path.Combine(output, "groups.csv"));
        Assert.That(lines[0], Is.EqualTo("group,path"));
        var groupOf = lines.Skip(1).Select(l => l.Split(',')).ToDictionary(p => p[1], p => int.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture));

        Assert.That(_singletons.Where(groupOf.ContainsKey), Is.Empty, "distinct images are in no group");
        foreach (var group in _groups)
        {
            // original, copy, 0.5x, JPEG q50 (DuplicateMaker.Kinds' order): always together.
            Assert.That(group.Take(4).Select(p => groupOf.GetValueOrDefault(p, -1)).Distinct().ToArray(), Has.Length.EqualTo(1).And.No.Contains(-1), group[0]);
        }

        Assert.That(groupOf.Values.Distinct().Count(), Is.EqualTo(_groups.Count), "one group per planted original");
        var keep = File.ReadAllLines(Path.Combine(output, "keep.txt"));
        var crops = _groups.Count(g => groupOf.GetValueOrDefault(g[4], -1) == groupOf[g[0]]);
        Assert.That(keep, Is.SupersetOf(_singletons).And.SupersetOf(_groups.Select(g => g.Order(StringComparer.Ordinal).First())).And.Unique);
        Assert.That(keep, Has.Length.EqualTo(_singletons.Count + _groups.Count + _groups.Count - crops));
        TestContext.Out.WriteLine($"90% crops grouped with their original: {crops} of {_groups.Count}");
        return (groupOf, crops);
    }

    [Test]
    public void Dedup_by_default_groups_copies_resized_and_reencoded_images_says_why_and_leaves_distinct_images_alone()
    {
        var output = Path.Combine(_dir, "dedup");
        Dedup(output);
        var run = MocoRun.Captured("dedup", "--store", _store, "--out", output, "--exact");
        Assert.That(run.Out, Does.Match(@"threshold: centred cosine >= 0\.9\d+ \(calibrated on 400 rows' nearest-neighbour distances"));
        // The run-time check plants copies of 100 store images in memory: this encoder keeps resized and re-encoded copies.
        Assert.That(run.Out, Does.Contain("planted copies of 100 sampled store images that reach it: 0.5x resize 100/100").And.Contain("JPEG q50 100/100"));
    }

    [Test]
    public void Dedup_with_a_given_threshold_groups_exactly_the_crops_that_reach_it_and_still_no_distinct_image()
    {
        // The default does not vouch for crops (docs/search.md: on the real encoder they sit among look-alikes); a user
        // who has read the check's crop median may pass a lower threshold. Reference: each crop's centred cosine to its
        // original, recomputed in double from the store's features and their column means.
        const double threshold = 0.94;
        var (_, crops) = Dedup(Path.Combine(_dir, "dedup-crops"), "--threshold", "0.94");
        var table = FeatureStoreReader.Open(_store).ReadAll();
        var paths = table.Paths.ToList();
        var mean = Enumerable.Range(0, table.Features.Columns).Select(d => Enumerable.Range(0, paths.Count).Average(r => (double)table.Features.Row(r)[d])).ToArray();
        double Centred(int a, int b)
        {
            double dot = 0, na = 0, nb = 0;
            for (var d = 0; d < mean.Length; d++)
            {
                double x = table.Features.Row(a)[d] - mean[d], y = table.Features.Row(b)[d] - mean[d];
                dot += x * y;
                na += x * x;
                nb += y * y;
            }

            return dot / Math.Sqrt(na * nb);
        }

        var reaching = _groups.Count(g => Centred(paths.IndexOf(g[0]), paths.IndexOf(g[4])) >= threshold);
        Assert.That(crops, Is.EqualTo(reaching));
        Assert.That(crops, Is.GreaterThan(_groups.Count / 2));
        var run = MocoRun.Captured("dedup", "--store", _store, "--out", Path.Combine(_dir, "dedup-crops"), "--exact", "--threshold", "0.94", "--check-copies", "0");
        Assert.That(run.Out, Does.Contain("threshold: centred cosine >= 0.94000 (--threshold)").And.Not.Contain("planted copies"));
    }

    [Test]
    public void Dedup_with_crops_groups_every_planted_crop_and_still_no_distinct_image()
    {
        // Without --crops 5 of the 25 crops reach the default threshold (docs/search.md); with it, each candidate pair is
        // searched for one image inside the other by its pixels, and that window's features join the crop to its original.
        var output = Path.Combine(_dir, "dedup-crop-views");
        var (_, crops) = Dedup(output, "--crops", "--check-copies", "0");
        Assert.That(crops, Is.EqualTo(_groups.Count));
        var run = MocoRun.Captured("dedup", "--store", _store, "--out", output, "--exact", "--crops", "--check-copies", "0");
        Assert.That(run.Out, Does.Match(@"crop views: [\d,]+ candidate pairs looked at, in [\d,]+ one image found inside the other by its pixels and that window featurised \([\d.]+ s\); [\d,]+ crop views reach the threshold\."));
    }

    [Test]
    public void Dedup_with_crops_and_the_images_gone_is_one_clear_error()
    {
        var images = Path.Combine(_dir, "gone-images");
        var store = Path.Combine(_dir, "gone-store");
        PlantedDuplicates.WriteColourFields(images, distinct: 60, planted: 2, seed: 3);
        Assert.That(MocoRun.Captured("extract", "--model", _model, "--data", images, "--out", store, "--threads", "1", "--quiet").Code, Is.Zero);
        Directory.Delete(images, recursive: true);
        MocoRun.AssertOneErrorLine(MocoRun.Captured("dedup", "--store", store, "--out", Path.Combine(_dir, "gone-dedup"), "--exact", "--crops"),
            "--crops needs the store's images", 1);
    }

    [Test]
    public void Dedup_with_crops_skips_an_image_that_became_unreadable_and_says_so()
    {
        var images = Path.Combine(_dir, "spoilt-images");
        var store = Path.Combine(_dir, "spoilt-store");
        var (groups, _) = PlantedDuplicates.WriteColourFields(images, distinct: 60, planted: 2, seed: 5);
        Assert.That(MocoRun.Captured("extract", "--model", _model, "--data", images, "--out", store, "--threads", "1", "--quiet").Code, Is.Zero);
        File.WriteAllBytes(groups[1][0], [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        var run = MocoRun.Captured("dedup", "--store", store, "--out", Path.Combine(_dir, "spoilt-dedup"), "--exact", "--crops", "--check-copies", "0");
        Assert.That(run.Code, Is.Zero, run.Error);
        Assert.That(run.Out, Does.Contain(", 1 unreadable images skipped;"));
        // The other planted group's crop is still found.
        var lines = File.ReadAllLines(Path.Combine(_dir, "spoilt-dedup", "groups.csv")).Skip(1).Select(l => l.Split(',')).ToDictionary(p => p[1], p => p[0]);
        Assert.That(lines.GetValueOrDefault(groups[0][4]), Is.EqualTo(lines[groups[0][0]]));
    }

    [Test]
    public void Dedup_whose_images_are_gone_still_groups_from_the_store_and_says_the_check_was_not_made()
    {
        var moved = _images + "-moved";
        Directory.Move(_images, moved);
        try
        {
            var run = MocoRun.Captured("dedup", "--store", _store, "--out", Path.Combine(_dir, "dedup-no-images"), "--exact");
            Assert.That(run.Code, Is.Zero, run.Error);
            Assert.That(run.Out, Does.Contain("planted copies: none made (the store's images").And.Contain("not checked"));
            Assert.That(run.Out, Does.Contain("25 groups of near-duplicates"));
        }
        finally
        {
            Directory.Move(moved, _images);
        }
    }

    [Test]
    public void Dedup_through_the_index_finds_the_same_groups_as_exact_candidates()
    {
        Assert.That(MocoRun.Captured("index", "--store", _store).Code, Is.Zero);
        Assert.That(File.Exists(Path.Combine(_store, StoreIndex.SidecarFileName)));
        var exact = Path.Combine(_dir, "dedup-exact");
        var indexed = Path.Combine(_dir, "dedup-index");
        Assert.That(MocoRun.Captured("dedup", "--store", _store, "--out", exact, "--exact").Code, Is.Zero);
        var run = MocoRun.Captured("dedup", "--store", _store, "--out", indexed);
        Assert.That(run.Out, Does.Contain("index candidates"));
        Assert.That(File.ReadAllText(Path.Combine(indexed, "groups.csv")), Is.EqualTo(File.ReadAllText(Path.Combine(exact, "groups.csv"))));
        MocoRun.AssertOneErrorLine(MocoRun.Captured("dedup", "--store", _store, "--out", indexed, "--threshold", "2"), "between -1 and 1", 1);
    }
}
