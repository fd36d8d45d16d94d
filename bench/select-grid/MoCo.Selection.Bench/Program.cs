using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using MoCo.Evaluation;
using MoCo.Evaluation.Selection;
using MoCo.Extraction.Reading;
using MoCo.Imaging.Datasets;
using MoCo.MLNet;
using MoCo.MLNet.Probing;

// The label-selection grid of docs/select.md without re-running the encoder per probe: `moco select`'s rule
// (LabelSelection) on a training store, then `moco probe --trainer lbfgs`'s figures (Prober.FitLinear and
// Prober.KnnFigures, the code moco probe runs after featurising) with the chosen rows of that store as training features
// and a store of the test images as test features. Writes each list as `moco select` does (so `moco probe --train LIST`
// re-checks any row with the encoder) and one results.tsv row per run; bench/select-grid/summary.py makes the table.
//
//   dotnet bench/select-grid/MoCo.Selection.Bench/bin/Release/net10.0/MoCo.Selection.Bench.dll \
//     TRAIN_STORE TEST_STORE OUT [budgets 10,50,100,500] [methods kcenter,random,cluster,typical] [seeds 0,1,2]
var invariant = CultureInfo.InvariantCulture;
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: TRAIN_STORE TEST_STORE OUT [BUDGETS] [METHODS] [SEEDS]");
    return 2;
}

int[] budgets = [.. (args.Length > 3 ? args[3] : "10,50,100,500").Split(',').Select(int.Parse)];
SelectionMethod[] methods = [.. (args.Length > 4 ? args[4] : "kcenter,random,cluster,typical").Split(',').Select(SelectionMethodNames.Parse)];
ulong[] seeds = [.. (args.Length > 5 ? args[5] : "0,1,2").Split(',').Select(ulong.Parse)];
var output = args[2];
Directory.CreateDirectory(Path.Combine(output, "lists"));

var trainStore = FeatureStoreReader.Open(args[0]);
var testStore = FeatureStoreReader.Open(args[1]);
if (trainStore.ModelSha256 != testStore.ModelSha256) throw new InvalidDataException("the two stores were made with different models");
var train = trainStore.ReadAll();
var test = testStore.ReadAll();
var classes = trainStore.LabelNames;
var features = new ProbeFeatures
{
    Classes = classes, TrainFeatures = train.Features, TrainLabels = [.. train.Labels], TestFeatures = test.Features, TestLabels = [.. test.Labels],
};

// moco probe --trainer lbfgs's settings (seed 0, the protocol's λ and kNN); the encoder is never run here.
var settings = new ProbeSettings { Features = new MoCoFeaturesOptions { ModelPath = trainStore.ModelPath }, Trainers = [LinearTrainer.Lbfgs] };
var prober = new Prober(settings);
var results = Path.Combine(output, "results.tsv");
var done = File.Exists(results) ? File.ReadLines(results).Skip(1).Select(l => string.Join('\t', l.Split('\t')[..3])).ToHashSet() : [];
if (!File.Exists(results)) File.WriteAllText(results, "method\tbudget\tseed\tradius\tclasses\tlinear_top1\tknn_top1\tselect_s\n");

foreach (var budget in budgets)
{
    foreach (var method in methods)
    {
        foreach (var seed in method == SelectionMethod.KCenter ? [0UL] : seeds)
        {
            var name = SelectionMethodNames.Name(method);
            var seedText = method == SelectionMethod.KCenter ? "-" : seed.ToString(invariant);
            if (done.Contains($"{name}\t{budget}\t{seedText}")) continue;
            var clock = Stopwatch.StartNew();
            var picks = LabelSelection.Select(train.Features, budget, method, seed: seed);
            var selectSeconds = clock.Elapsed.TotalSeconds;
            var radius = Coverage.CoveringRadius(train.Features, picks);
            var list = Path.Combine(output, "lists", $"{name}-{budget}{(method == SelectionMethod.KCenter ? "" : $"-s{seed}")}.txt");
            SelectionList.Write(list, trainStore.Source, picks.Select(i => train.Paths[i]),
                [string.Create(invariant, $"{name}: {budget} of {train.Features.Rows} images; covering radius {radius:0.####}")]);

            var x = train.Features.Select(picks);
            var y = picks.Select(i => train.Labels[i]).ToArray();
            var (_, knn) = Prober.KnnFigures(x, y, features.TestFeatures, features.TestLabels, classes.Count, settings.Knn);
            var linear = prober.FitLinear(new MLContext(settings.Seed), features, x, y).Linear;
            var row = string.Create(invariant,
                $"{name}\t{budget}\t{seedText}\t{radius:0.####}\t{y.Distinct().Count()}\t{linear.MicroAccuracy:0.####}\t{knn.MicroAccuracy:0.####}\t{selectSeconds:0.0}");
            File.AppendAllText(results, row + "\n");
            Console.WriteLine(row);
        }
    }
}

return 0;
