using System.Text.Json;
using System.Xml.Linq;
using MoCo.Cli.Tests.Support;

namespace MoCo.Cli.Tests;

// moco probe --labels-per-class / --label-fraction and moco probe plot on a tiny IDX set (120 random 8×8 images, four
// classes of 30, the same files as train and test): features once, a JSON line per budget, the CSV and the figure.
[NonParallelizable]
public class ProbeLabelEfficiencyTests
{
    private string data = "";
    private string dir = "";

    [SetUp]
    public void Make()
    {
        data = TinyIdxData.Create("moco-efficiency-", seed: 5, count: 120, side: 8);
        dir = Directory.CreateTempSubdirectory("moco-efficiency-out-").FullName;
    }

    [TearDown]
    public void Remove()
    {
        Directory.Delete(data, recursive: true);
        Directory.Delete(dir, recursive: true);
    }

    private static (int Code, string Out, string Error) Moco(params string[] args) => MocoRun.Captured(args);

    private static void AssertOneErrorLine((int Code, string Out, string Error) run, string expected) => MocoRun.AssertOneErrorLine(run, expected);

    private string[] Probe(params string[] more) =>
        ["probe", "--model", "pixels", "--train", $"idx:{data}", "--test", $"idx:{data}:test", "--knn-k", "5", .. more];

    [Test]
    public void Json_lines_per_budget_with_the_features_computed_once()
    {
        var run = Moco(Probe("--labels-per-class", "1,5,all", "--draws", "2", "--json"));
        Assert.That(run.Code, Is.EqualTo(0), run.Error);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(3), run.Out);
        var json = lines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.That(json.Select(j => j.GetProperty("labels_per_class").ToString()), Is.EqualTo(new[] { "1", "5", "all" }));
        Assert.That(json.Select(j => j.GetProperty("draws").GetInt32()), Is.EqualTo(new[] { 2, 2, 1 }));
        Assert.That(json.Select(j => j.GetProperty("train_images").GetInt32()), Is.EqualTo(new[] { 4, 20, 120 }));
        foreach (var j in json)
        {
            foreach (var name in new[] { "linear_top1_mean", "linear_top1_sd", "knn_top1_mean", "knn_top1_sd" })
            {
                Assert.That(j.GetProperty(name).GetDouble(), Is.InRange(0.0, 1.0), name);
            }

            // --trainer auto fits L-BFGS on every draw.
            Assert.That(j.GetProperty("linear_protocol").GetString(), Is.EqualTo("linear:lbfgs:l2=0.0001"));
            Assert.That(j.GetProperty("knn_protocol").GetString(), Is.EqualTo("knn:cosine:k=5:t=0.1"));
        }

        // The encoder ran once (one "featurised" line) for seven draws; the table is on stderr with --json.
        Assert.That(run.Error.Split('\n').Count(l => l.StartsWith("featurised ", StringComparison.Ordinal)), Is.EqualTo(1), run.Error);
        Assert.That(run.Error.Split('\n').Count(l => l.StartsWith("labels ", StringComparison.Ordinal)), Is.EqualTo(5), run.Error);
        Assert.That(run.Error, Does.Contain("labels/class  draws  train images"));
    }

    [Test]
    public void Out_writes_the_csv_and_figure_and_plot_puts_two_encoders_on_one_figure()
    {
        var a = Path.Combine(dir, "a");
        var b = Path.Combine(dir, "b");
        Assert.That(Moco(Probe("--labels-per-class", "1,10", "--draws", "3", "--out", a, "--curve-label", "pixels (lbfgs)")).Code, Is.EqualTo(0));
        var knn = Moco(Probe("--label-fraction", "0.1,1", "--trainer", "knn", "--out", b, "--curve-label", "pixels (kNN only)", "--json"));
        Assert.That(knn.Code, Is.EqualTo(0), knn.Error);
        Assert.That(JsonDocument.Parse(knn.Out.Split('\n')[0]).RootElement.GetProperty("label_fraction").GetDouble(), Is.EqualTo(0.1));
        var csv = File.ReadAllLines(Path.Combine(a, "label-efficiency.csv"));
        Assert.That(csv[0], Is.EqualTo("curve,budget,draw,train_images,labels_per_class,linear_top1,linear_top1_sd,knn_top1,knn_top1_sd"));
        Assert.That(csv.Skip(1).Select(l => string.Join(",", l.Split(',').Take(4))),
            Is.EqualTo(new[] { "pixels (lbfgs),1,0,4", "pixels (lbfgs),1,1,4", "pixels (lbfgs),1,2,4", "pixels (lbfgs),1,mean,4",
                "pixels (lbfgs),10,0,40", "pixels (lbfgs),10,1,40", "pixels (lbfgs),10,2,40", "pixels (lbfgs),10,mean,40" }));
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.That(XDocument.Load(Path.Combine(a, "label-efficiency.svg")).Descendants(ns + "path").Count(), Is.EqualTo(2));

        var figure = Path.Combine(dir, "fig", "all.svg");
        var plot = Moco("probe", "plot", "--out", figure, Path.Combine(a, "label-efficiency.csv"), Path.Combine(b, "label-efficiency.csv"));
        Assert.That(plot.Code, Is.EqualTo(0), plot.Error);
        Assert.That(plot.Out, Does.Contain("2 curve(s) (pixels (lbfgs), pixels (kNN only))"));
        var paths = XDocument.Load(figure).Descendants(ns + "path").Select(p => p.Element(ns + "title")!.Value);
        Assert.That(paths, Is.EqualTo(new[] { "pixels (lbfgs): linear", "pixels (lbfgs): kNN", "pixels (kNN only): kNN" }));

        // The same curve name from two files stays two curves: the second is told apart by its file.
        var twice = Moco("probe", "plot", "--out", figure, Path.Combine(a, "label-efficiency.csv"), Path.Combine(a, "label-efficiency.csv"));
        Assert.That(twice.Code, Is.EqualTo(0), twice.Error);
        Assert.That(XDocument.Load(figure).Descendants(ns + "path").Select(p => p.Element(ns + "title")!.Value),
            Is.EqualTo(new[] { "pixels (lbfgs): linear", "pixels (lbfgs): kNN", $"pixels (lbfgs) ({Path.Combine(a, "label-efficiency.csv")}): linear", $"pixels (lbfgs) ({Path.Combine(a, "label-efficiency.csv")}): kNN" }));
    }

    [Test]
    public void A_budget_larger_than_a_class_gives_one_line_before_the_encoder_runs()
    {
        var run = Moco(Probe("--labels-per-class", "10,31"));
        AssertOneErrorLine(run, "--labels-per-class 31: 31 training images per class were asked for, but '0' has 30");
        Assert.That(run.Out, Does.Not.Contain("featurised"));
    }

    [Test]
    public void Conflicting_options_give_one_line()
    {
        AssertOneErrorLine(Moco(Probe("--labels-per-class", "1", "--label-fraction", "0.1")), "give --labels-per-class or --label-fraction, not both");
        AssertOneErrorLine(Moco(Probe("--labels-per-class", "1", "--sample", "50")), "--sample is not for label efficiency");
        AssertOneErrorLine(Moco(Probe("--labels-per-class", "1,x")), "'x' is not a positive count or 'all'");
        AssertOneErrorLine(Moco(Probe("--labels-per-class", "1", "--draws", "0")), "--draws must be positive");
        AssertOneErrorLine(Moco("probe", "plot", "--out", Path.Combine(dir, "f.svg"), Path.Combine(dir, "absent.csv")), "does not exist");
    }

    [Test]
    public void Help_lists_the_label_efficiency_options_and_plot()
    {
        var help = Moco("probe", "--help");
        Assert.That(help.Out, Does.Contain("--labels-per-class").And.Contain("--label-fraction").And.Contain("--draws").And.Contain("--curve-label")
            .And.Contain("--trainer auto fits lbfgs").And.Contain("plot"));
        var plot = Moco("probe", "plot", "--help");
        Assert.That(plot.Out, Does.Contain("--out").And.Contain("--title").And.Contain("label-efficiency.csv"));
    }
}
