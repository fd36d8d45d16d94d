using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using MoCo.Evaluation;
using MoCo.MLNet.Probing;
using MoCo.MLNet.Tests.Support;

namespace MoCo.MLNet.Tests.Probing;

// The label-efficiency protocol on synthetic features (three Gaussian classes, no encoder): the subsets are
// StratifiedDraw's, kNN's figure per draw is the protocol's kNN on that subset, the means and sample sds are recomputed
// here from the per-draw figures, and the JSON lines, the CSV and the figure carry them.
public class LabelEfficiencyTests
{
    private static readonly string[] Classes = ["ant", "bee", "cat"];
    private const ulong Seed = 7;
    private static readonly KnnOptions KnnSettings = new() { K = 5 };

    private static ProbeFeatures Features()
    {
        var rng = new Random(3);
        (FeatureMatrix, int[]) Set(int perClass)
        {
            const int d = 6;
            var labels = Enumerable.Range(0, perClass * Classes.Length).Select(i => i % Classes.Length).ToArray();
            var values = new float[labels.Length * d];
            for (var i = 0; i < labels.Length; i++)
            {
                for (var j = 0; j < d; j++)
                {
                    // Class c sits at 2 on axis c; unit-ish noise keeps the classes apart but not trivially.
                    values[(i * d) + j] = (j == labels[i] ? 2f : 0f) + (float)((rng.NextDouble() * 2) - 1);
                }
            }

            return (new FeatureMatrix(values, labels.Length, d), labels);
        }

        var (trainX, trainY) = Set(30);
        var (testX, testY) = Set(20);
        return new ProbeFeatures { Classes = Classes, TrainFeatures = trainX, TrainLabels = trainY, TestFeatures = testX, TestLabels = testY };
    }

    private static ProbeSettings Settings(params LinearTrainer[] trainers) =>
        new() { Features = new MoCoFeaturesOptions(), Trainers = trainers, Knn = KnnSettings, Seed = 1 };

    private static IReadOnlyList<BudgetResult> Run(ProbeFeatures features, string budgets, params LinearTrainer[] trainers) =>
        new LabelEfficiency(Settings(trainers)).Run(features, LabelBudget.ParsePerClass(budgets), draws: 3, Seed);

    private static double SampleSd(double[] v)
    {
        if (v.Length == 1) return 0;
        double mean = 0;
        foreach (var x in v) mean += x;
        mean /= v.Length;
        double squares = 0;
        foreach (var x in v) squares += (x - mean) * (x - mean);
        return Math.Sqrt(squares / (v.Length - 1));
    }

    [Test]
    public void Draws_are_StratifiedDraws_subsets_and_knn_is_the_protocols_knn_on_each()
    {
        var features = Features();
        var results = Run(features, "1,5,all", LinearTrainer.Lbfgs);
        Assert.That(results.Select(r => r.Draws.Count), Is.EqualTo(new[] { 3, 3, 1 }));
        foreach (var r in results)
        {
            foreach (var d in r.Draws)
            {
                var expected = r.Budget.PerClass is { } n ? StratifiedDraw.PerClass(features.TrainLabels, n, Seed, d.Draw) : Enumerable.Range(0, 90).ToArray();
                Assert.That(d.Rows, Is.EqualTo(expected), $"{r.Budget.Text} draw {d.Draw}");
                var perClass = d.Rows.GroupBy(i => features.TrainLabels[i]).ToDictionary(g => g.Key, g => g.Count());
                Assert.That(perClass.Values, Is.All.EqualTo(r.Budget.PerClass ?? 30));
                Assert.That(perClass.Keys, Is.EquivalentTo(new[] { 0, 1, 2 }));
                var y = d.Rows.Select(i => features.TrainLabels[i]).ToArray();
                var knn = Knn.Classify(features.TestFeatures, features.TrainFeatures.Select(d.Rows), y, 3, KnnSettings);
                Assert.That(d.KnnTop1, Is.EqualTo(Accuracy.Top1(features.TestLabels, knn)));
                Assert.That(d.LinearProtocol, Is.EqualTo("linear:lbfgs:l2=0.0001"));
            }
        }

        // Different draws differ; nested budgets: draw d of 1 per class lies inside draw d of 5 per class.
        Assert.That(results[0].Draws[0].Rows, Is.Not.EqualTo(results[0].Draws[1].Rows));
        Assert.That(results[1].Draws[2].Rows, Is.SupersetOf(results[0].Draws[2].Rows));
        // Separable classes: the whole pool classifies well above chance (1/3).
        Assert.That(results[2].LinearMean, Is.GreaterThan(0.8));
        Assert.That(results[2].KnnMean, Is.GreaterThan(0.8));
    }

    [Test]
    public void Means_and_sds_are_the_per_draw_figures_mean_and_sample_sd()
    {
        var results = Run(Features(), "1,2,all", LinearTrainer.Lbfgs);
        foreach (var r in results)
        {
            var linear = r.Draws.Select(d => d.LinearTop1!.Value).ToArray();
            var knn = r.Draws.Select(d => d.KnnTop1).ToArray();
            Assert.That(r.LinearMean, Is.EqualTo(linear.Sum() / linear.Length).Within(1e-12));
            Assert.That(r.KnnMean, Is.EqualTo(knn.Sum() / knn.Length).Within(1e-12));
            Assert.That(r.LinearSd, Is.EqualTo(SampleSd(linear)).Within(1e-12));
            Assert.That(r.KnnSd, Is.EqualTo(SampleSd(knn)).Within(1e-12));
        }

        // A closed form: sd of {a, b} is |a − b| / √2.
        Assert.That(BudgetResult.Sd([0.5, 0.7]), Is.EqualTo(0.2 / Math.Sqrt(2)).Within(1e-15));
        Assert.That(BudgetResult.Sd([0.5]), Is.EqualTo(0));
        Assert.That(results[2].LinearSd, Is.EqualTo(0));
    }

    [Test]
    public void Knn_only_has_no_linear_figures()
    {
        var r = Run(Features(), "2")[0];
        Assert.That((r.LinearMean, r.LinearSd, r.LinearProtocol), Is.EqualTo(((double?)null, (double?)null, (string?)null)));
        var json = JsonDocument.Parse(LabelEfficiencyReport.Json(r, "enc", 60)).RootElement;
        Assert.That(json.GetProperty("linear_top1_mean").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(json.GetProperty("knn_top1_mean").GetDouble(), Is.EqualTo(r.KnnMean));
    }

    [Test]
    public void Fraction_budgets_draw_that_share_of_each_class()
    {
        var features = Features();
        var results = new LabelEfficiency(Settings(LinearTrainer.Lbfgs)).Run(features, LabelBudget.ParseFraction("0.1,1"), draws: 2, Seed);
        Assert.That(results[0].Draws.Select(d => d.Rows), Is.EqualTo(new[] { StratifiedDraw.Fraction(features.TrainLabels, 0.1, Seed, 0), StratifiedDraw.Fraction(features.TrainLabels, 0.1, Seed, 1) }));
        Assert.That(results[0].TrainImages, Is.EqualTo(9)); // round(0.1 · 30) = 3 per class
        Assert.That(results[0].LabelsPerClass, Is.EqualTo(3));
        Assert.That((results[1].Draws.Count, results[1].TrainImages), Is.EqualTo((1, 90)));
        var json = JsonDocument.Parse(LabelEfficiencyReport.Json(results[0], "enc", 60)).RootElement;
        Assert.That(json.GetProperty("label_fraction").GetDouble(), Is.EqualTo(0.1));
        Assert.That(json.TryGetProperty("labels_per_class", out _), Is.False);
    }

    [Test]
    public void Json_lines_table_and_csv_carry_the_figures_and_the_csv_round_trips()
    {
        var results = Run(Features(), "1,5,all", LinearTrainer.Lbfgs);
        foreach (var r in results)
        {
            var json = JsonDocument.Parse(LabelEfficiencyReport.Json(r, "enc.onnx", 60)).RootElement;
            var perClass = json.GetProperty("labels_per_class");
            Assert.That(perClass.ValueKind == JsonValueKind.String ? perClass.GetString() : perClass.GetInt32().ToString(CultureInfo.InvariantCulture), Is.EqualTo(r.Budget.Text));
            Assert.That(json.GetProperty("draws").GetInt32(), Is.EqualTo(r.Draws.Count));
            Assert.That(json.GetProperty("train_images").GetInt32(), Is.EqualTo(r.TrainImages));
            Assert.That(json.GetProperty("linear_top1_mean").GetDouble(), Is.EqualTo(r.LinearMean));
            Assert.That(json.GetProperty("linear_top1_sd").GetDouble(), Is.EqualTo(r.LinearSd));
            Assert.That(json.GetProperty("knn_top1_mean").GetDouble(), Is.EqualTo(r.KnnMean));
            Assert.That(json.GetProperty("knn_top1_sd").GetDouble(), Is.EqualTo(r.KnnSd));
            Assert.That(json.GetProperty("linear_protocol").GetString(), Is.EqualTo("linear:lbfgs:l2=0.0001"));
            Assert.That(json.GetProperty("knn_protocol").GetString(), Is.EqualTo("knn:cosine:k=5:t=0.1"));
            Assert.That(json.GetProperty("knn_top1").EnumerateArray().Select(e => e.GetDouble()), Is.EqualTo(r.Draws.Select(d => d.KnnTop1)));
        }

        var table = LabelEfficiencyReport.Table(results, "enc.onnx", 60);
        Assert.That(table, Does.Contain(string.Create(CultureInfo.InvariantCulture, $"{results[0].LinearMean * 100:F2} ± {results[0].LinearSd * 100:F2}%")));
        Assert.That(table, Does.Contain(string.Create(CultureInfo.InvariantCulture, $"{results[1].KnnMean * 100:F2} ± {results[1].KnnSd * 100:F2}%")));

        using var dir = new TempDir();
        var csv = dir.File(CurveCsv.FileName);
        File.WriteAllText(csv, LabelEfficiencyReport.Csv(results, "MoCo, v2 \"demo\""));
        Assert.That(File.ReadAllLines(csv), Has.Length.EqualTo(1 + 4 + 4 + 2)); // header, (draws + mean) per budget
        var points = CurveCsv.Read(csv);
        Assert.That(points, Has.Count.EqualTo(3));
        for (var i = 0; i < 3; i++)
        {
            var (p, r) = (points[i], results[i]);
            Assert.That(p.Curve, Is.EqualTo("MoCo, v2 \"demo\""));
            Assert.That((p.Budget, p.TrainImages, p.LabelsPerClass), Is.EqualTo((r.Budget.Text, r.TrainImages, r.LabelsPerClass)));
            Assert.That((p.Linear, p.LinearSd, p.Knn, p.KnnSd), Is.EqualTo((r.LinearMean, r.LinearSd, r.KnnMean, r.KnnSd)));
        }
    }

    [Test]
    public void Figure_is_well_formed_svg_with_one_path_per_line()
    {
        var features = Features();
        var withLinear = Run(features, "1,5,all", LinearTrainer.Lbfgs);
        var knnOnly = Run(features, "1,5,all");
        using var dir = new TempDir();
        File.WriteAllText(dir.File("a.csv"), LabelEfficiencyReport.Csv(withLinear, "pretrained"));
        File.WriteAllText(dir.File("b.csv"), LabelEfficiencyReport.Csv(knnOnly, "raw <pixels>"));
        var svg = XDocument.Parse(LabelEfficiencySvg.Render([.. CurveCsv.Read(dir.File("a.csv")), .. CurveCsv.Read(dir.File("b.csv"))], "label efficiency & more"));
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.That(svg.Root!.Name, Is.EqualTo(ns + "svg"));
        var paths = svg.Descendants(ns + "path").ToList();
        Assert.That(paths.Select(p => p.Element(ns + "title")!.Value), Is.EqualTo(new[] { "pretrained: linear", "pretrained: kNN", "raw <pixels>: kNN" }));
        // Three points per line (1, 5 and all = 30 per class), x increasing on the log axis.
        foreach (var p in paths)
        {
            var xs = p.Attribute("d")!.Value.Split(' ').Select(s => double.Parse(s[1..].Split(',')[0], CultureInfo.InvariantCulture)).ToArray();
            Assert.That(xs, Has.Length.EqualTo(3).And.Ordered.Ascending);
            // Log scale: log10(5) − log10(1) vs log10(30) − log10(5).
            Assert.That((xs[1] - xs[0]) / (xs[2] - xs[1]), Is.EqualTo(Math.Log10(5) / Math.Log10(6)).Within(0.01));
        }
    }

    [Test]
    public void A_budget_larger_than_a_class_names_the_class()
    {
        var features = Features();
        var e = Assert.Throws<ArgumentException>(() => Run(features, "5,31", LinearTrainer.Lbfgs));
        Assert.That(e!.Message, Does.Contain("--labels-per-class 31").And.Contain("'ant' has 30").And.Contain("'cat' has 30"));
    }
}
