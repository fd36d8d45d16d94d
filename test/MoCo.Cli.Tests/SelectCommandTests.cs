using MoCo.Cli.Tests.Support;
using MoCo.Evaluation.Selection;
using MoCo.Extraction.Reading;
using MoCo.Imaging.Datasets;

namespace MoCo.Cli.Tests;

[NonParallelizable]
public class SelectCommandTests
{
    private TinyStore store = null!;
    private FeatureStoreTable table = null!;

    [OneTimeSetUp]
    public void Extract()
    {
        store = new TinyStore(count: 80);
        table = FeatureStoreReader.Open(store.Folder).ReadAll();
    }

    [OneTimeTearDown]
    public void Remove() => store.Dispose();

    private string Select(string name, params string[] args)
    {
        var list = Path.Combine(store.Data, name);
        var run = MocoRun.Captured(["select", "--store", store.Folder, "--out", list, .. args]);
        Assert.That(run.Code, Is.EqualTo(0), run.Out + run.Error);
        Assert.That(run.Out, Does.Contain("covering radius"));
        return list;
    }

    private static string[] Items(string list) => File.ReadLines(list).Where(l => !l.StartsWith('#')).ToArray();

    [Test]
    public void Kcenter_lists_the_picks_of_the_selection_on_the_stores_features_under_a_source_header()
    {
        var list = Select("kcenter.txt", "--budget", "12");
        var expected = LabelSelection.Select(table.Features, 12, SelectionMethod.KCenter).Select(i => table.Paths[i]);
        Assert.That(Items(list), Is.EqualTo(expected));
        Assert.That(File.ReadLines(list).First(), Is.EqualTo($"{SelectionList.HeaderPrefix}{FeatureStoreReader.Open(store.Folder).Source}"));
    }

    [Test]
    public void The_list_round_trips_through_probe_with_the_sources_labels()
    {
        // Three picks cannot cover the four classes: the list still carries all four, as the test data has them.
        var list = Select("three.txt", "--budget", "3", "--method", "random", "--seed", "4");
        var chosen = DataSourceSpec.Parse(list).Open();
        var source = DataSourceSpec.Parse($"idx:{store.Data}:train").Open();
        Assert.That(chosen.Classes, Is.EqualTo(source.Classes));
        var rowOf = Enumerable.Range(0, table.Paths.Count).ToDictionary(i => table.Paths[i]);
        Assert.That(Enumerable.Range(0, chosen.Count).Select(i => chosen.GetLabel(i)), Is.EqualTo(Items(list).Select(p => table.Labels[rowOf[p]])));

        var probe = MocoRun.Captured("probe", "--model", store.Model, "--train", list, "--test", $"idx:{store.Data}:test", "--trainer", "lbfgs", "--knn-k", "2", "--json");
        Assert.That(probe.Code, Is.EqualTo(0), probe.Error);
        Assert.That(probe.Out, Does.Contain("\"train_count\":3"));
        Assert.That(probe.Out, Does.Contain("\"test_count\":80"));
    }

    [Test]
    public void Excluded_items_are_not_chosen_and_count_as_centres()
    {
        var first = Select("first.txt", "--budget", "5");
        var second = Select("second.txt", "--budget", "6", "--exclude", first);
        Assert.That(Items(second).Intersect(Items(first)), Is.Empty);
        var labelled = Items(first).Select(p => table.Paths.ToList().IndexOf(p)).ToArray();
        Assert.That(Items(second), Is.EqualTo(LabelSelection.Select(table.Features, 6, SelectionMethod.KCenter, labelled).Select(i => table.Paths[i])));
        // k-center is nested: five picks, then six more with those five labelled, are the first eleven picks.
        Assert.That(Items(first).Concat(Items(second)), Is.EqualTo(Items(Select("eleven.txt", "--budget", "11"))));
    }

    [Test]
    public void An_exclude_list_of_path_label_lines_is_read_and_unknown_lines_are_reported()
    {
        var exclude = Path.Combine(store.Data, "labelled.csv");
        File.WriteAllLines(exclude, ["path,label", $"{table.Paths[7]},3", "elsewhere.png,1"]);
        var list = Path.Combine(store.Data, "after.txt");
        var run = MocoRun.Captured("select", "--store", store.Folder, "--out", list, "--budget", "79", "--exclude", exclude, "--method", "random");
        Assert.That(run.Code, Is.EqualTo(0), run.Error);
        Assert.That(run.Error, Does.Contain("2 line(s)").And.Contain("path,label"));
        Assert.That(Items(list), Does.Not.Contain(table.Paths[7]).And.Length.EqualTo(79));
    }

    [Test]
    public void Random_cluster_and_typical_are_reproducible_for_a_seed()
    {
        foreach (var method in new[] { "random", "cluster", "typical" })
        {
            var a = Items(Select($"{method}-a.txt", "--budget", "8", "--method", method, "--seed", "9"));
            Assert.That(Items(Select($"{method}-b.txt", "--budget", "8", "--method", method, "--seed", "9")), Is.EqualTo(a), method);
            Assert.That(Items(Select($"{method}-c.txt", "--budget", "8", "--method", method, "--seed", "10")), Is.Not.EqualTo(a), method);
        }
    }

    [Test]
    public void Typical_lists_the_picks_of_the_selection_on_the_stores_features()
    {
        var list = Select("typical.txt", "--budget", "6", "--method", "typical", "--seed", "3");
        var expected = LabelSelection.Select(table.Features, 6, SelectionMethod.Typical, seed: 3).Select(i => table.Paths[i]);
        Assert.That(Items(list), Is.EqualTo(expected));
    }

    [Test]
    public void Bad_requests_give_one_error_line()
    {
        var list = Path.Combine(store.Data, "bad.txt");
        MocoRun.AssertOneErrorLine(MocoRun.Captured("select", "--store", store.Folder, "--out", list, "--budget", "81"), "cannot be chosen from 80 unlabelled items");
        MocoRun.AssertOneErrorLine(MocoRun.Captured("select", "--store", store.Folder, "--out", list, "--budget", "3", "--method", "coreset"), "not one of kcenter, random, cluster, typical");
        MocoRun.AssertOneErrorLine(MocoRun.Captured("select", "--store", store.Folder, "--out", Path.Combine(store.Data, "bad.csv"), "--budget", "3"), "give a .txt file");
        MocoRun.AssertOneErrorLine(MocoRun.Captured("select", "--store", store.Folder, "--out", list, "--budget", "3", "--clusters", "2"), "--clusters 2 is for --method cluster or typical");
        MocoRun.AssertOneErrorLine(MocoRun.Captured("select", "--store", Path.Combine(store.Data, "nothing"), "--out", list, "--budget", "3"), "manifest");
    }
}
