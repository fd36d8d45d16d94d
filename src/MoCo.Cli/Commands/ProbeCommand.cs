using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using MoCo.Cli.Options;
using MoCo.Evaluation;
using MoCo.MLNet;
using MoCo.MLNet.Probing;

namespace MoCo.Cli.Commands;

/// <summary>
/// `moco probe`: Model Builder-style image classification on frozen encoder features — ML.NET's SDCA and L-BFGS
/// maximum entropy trainers and MoCo's kNN classifier, a table of figures (or one JSON line), and with --out the model
/// zip (image in, label out), its consumption file and a confusion-matrix picture. Needs ML.NET and ONNX Runtime only.
/// </summary>
internal static class ProbeCommand
{
    /// <summary><c>--model pixels</c>: the raw-pixel baseline instead of an encoder.</summary>
    internal const string Pixels = "pixels";

    internal sealed class Options : ICommandOptions
    {
        internal readonly Option<string> Model = new("--model") { Description = "encoder (.onnx from moco export), or 'pixels' for the raw-pixel baseline", Required = true };
        internal readonly Option<string> Train = DataOptions.Source("--train", "labelled training images (IDX default split train)");
        internal readonly Option<string?> Test = DataOptions.OptionalSource("--test", "labelled test images (IDX default split test)");
        internal readonly Option<double?> Split = new("--split") { Description = "without --test: the fraction of the training images held out for testing (default 0.2)" };
        internal readonly Option<string> Trainer = new("--trainer") { Description = "auto (SDCA and L-BFGS, the better on held-out training images), sdca, lbfgs, or knn (kNN only)", DefaultValueFactory = _ => "auto" };
        internal readonly Option<string?> Out = new("--out") { Description = "folder for model.zip, its consumption code and confusion-matrix.svg" };
        internal readonly Option<bool> Json = new("--json") { Description = "print one JSON line (linear_top1, knn_top1, …) on stdout; progress and the table go to stderr" };
        internal readonly RenamedOption<int?> Sample = DataOptions.Sample("--sample", "training images", "--limit", "; without --test, the N images --split divides");
        internal readonly RenamedOption<int?> TestSample = DataOptions.Sample("--test-sample", "test images", "--test-limit");
        internal readonly Option<string?> Preprocessing = new("--preprocessing") { Description = "for models without moco.* metadata (and 'pixels' on files): 'imagenet' or RESIZE:CROP:CHANNELS:MEAN,..:STD,.." };
        internal readonly EvaluationOptions Evaluation = new(withOldProbeSpellings: true);
        internal readonly RenamedOption<int> OnnxBatch = new(new Option<int>("--onnx-batch") { Description = "images per ONNX Runtime call", DefaultValueFactory = _ => 64 }, "--batch");
        internal readonly Option<ulong> Seed = new("--seed") { Description = "seed of the splits, samples and trainers", DefaultValueFactory = _ => 0 };
        internal readonly DeviceOption Device = new("ONNX Runtime's device for the encoder (needs the GPU build of ONNX Runtime: docs/onnx.md)");
        internal readonly Option<string?> LabelsPerClass = new("--labels-per-class")
        {
            Description = "label efficiency: e.g. 1,5,10,100,all — features once, then linear and kNN on seeded stratified draws of N training images per class " +
                "('all': the whole pool, one draw); mean ± sd per budget; --out writes label-efficiency.csv and .svg (no model zip); not with --sample",
        };
        internal readonly Option<string?> LabelFraction = new("--label-fraction") { Description = "label efficiency as fractions of each class, e.g. 0.01,0.1,1 (as --labels-per-class; not with it)" };
        internal readonly Option<int> Draws = new("--draws") { Description = "label efficiency: seeded draws per budget (draw d uses --seed and d; 'all' is one draw); --trainer auto fits lbfgs", DefaultValueFactory = _ => 3 };
        internal readonly Option<string?> CurveLabel = new("--curve-label") { Description = "label efficiency: the curve's name in label-efficiency.csv and the figure (default the encoder's file name, or 'raw pixels')" };

        public IEnumerable<Option> All => [Model, Train, Test, Split, Trainer, Out, Json, .. Sample.Options, .. TestSample.Options, Preprocessing, .. Evaluation.All,
            .. OnnxBatch.Options, Seed, Device.Option, LabelsPerClass, LabelFraction, Draws, CurveLabel];
    }

    internal static Command Create(Options? o = null)
    {
        var command = CommandOptions.Build("probe",
            "Image classification on frozen features, as ML.NET's Model Builder: SDCA / L-BFGS and kNN; figures, model zip, consumption code; " +
            "with --labels-per-class, top-1 against the number of labels ('moco probe plot' draws several encoders' curves on one figure).",
            o ?? new Options(), Run);
        command.Subcommands.Add(ProbePlotCommand.Create());
        return command;
    }

    /// <summary>A 64-bit seed as the 32-bit seed ML.NET and <see cref="Random"/> take: the same number below 2^31, both halves folded in above.</summary>
    internal static int Seed32(ulong seed) => unchecked((int)(seed ^ (seed >> 32)));

    private static int Run(ParseResult r, Options o)
    {
        var json = r.GetValue(o.Json);
        var log = json ? Console.Error : Console.Out;
        var seed = Seed32(r.GetValue(o.Seed));
        IReadOnlyList<LinearTrainer> trainer = r.GetValue(o.Trainer) switch
        {
            "auto" => ProbeSettings.Auto,
            "sdca" => [LinearTrainer.Sdca],
            "lbfgs" => [LinearTrainer.Lbfgs],
            "knn" => [],
            var t => throw new ArgumentException($"--trainer '{t}' is not auto, sdca, lbfgs or knn"),
        };
        var modelArgument = r.GetValue(o.Model)!;
        var preprocessing = ParsePreprocessing(r.GetValue(o.Preprocessing));
        string? testSpec = r.GetValue(o.Test);
        var splitFraction = r.GetValue(o.Split);
        if (testSpec is not null && splitFraction is not null)
        {
            throw new ArgumentException("give --test or --split, not both");
        }

        var budgets = Budgets(r, o);
        if (budgets is not null && o.Sample.Get(r) is not null)
        {
            throw new ArgumentException("--sample is not for label efficiency: --labels-per-class and --label-fraction draw their own subsets of the training images");
        }

        var train = ProbeSource.Open(r.GetValue(o.Train)!, defaultTrain: true);
        var limit = o.Sample.Get(r) is { } n ? Positive(n, "--sample") : int.MaxValue;
        ProbeSource test;
        if (testSpec is null)
        {
            // --sample takes its sample before the split: N images in all, split into training and test images.
            (train, test) = train.Sample(limit, seed).Split(splitFraction ?? 0.2, seed);
        }
        else
        {
            test = ProbeSource.Open(testSpec, defaultTrain: false);
            train = train.Sample(limit, seed);
        }

        if (o.TestSample.Get(r) is { } testLimit) test = test.Sample(Positive(testLimit, "--test-sample"), seed + 1);

        var features = new MoCoFeaturesOptions { BatchSize = o.OnnxBatch.Get(r), Preprocessing = preprocessing, GpuDeviceId = o.Device.Get(r).OnnxDeviceId };
        string encoder;
        if (modelArgument == Pixels)
        {
            features.ModelBytes = PixelEncoder.Create(preprocessing ?? PixelPreprocessing(train));
            encoder = "raw pixels";
        }
        else
        {
            CheckModel(modelArgument, preprocessing);
            features.ModelPath = modelArgument;
            encoder = Path.GetFileName(modelArgument);
        }

        var settings = new ProbeSettings
        {
            Features = features, Trainers = trainer, Seed = seed,
            Knn = new KnnOptions { K = o.Evaluation.K(r) ?? KnnOptions.DefaultK, Temperature = o.Evaluation.Temperature(r) is { } knnT ? (float)knnT : KnnOptions.DefaultTemperature },
        };
        log.WriteLine($"probing {encoder}: {train.Count} training images from {train.Spec}, {test.Count} test images from {test.Spec}");
        var ml = new MLContext(seed);
        var trainView = ml.Data.LoadFromEnumerable(train.Rows());
        var testView = ml.Data.LoadFromEnumerable(test.Rows());
        if (budgets is not null)
        {
            // Label efficiency: one L-BFGS fit per draw; auto's held-out choice would hold out most of a tiny budget.
            if (r.GetValue(o.Trainer) == "auto") settings = settings with { Trainers = [LinearTrainer.Lbfgs] };
            var draws = Positive(r.GetValue(o.Draws), "--draws");
            // A budget larger than a class fails here, before the encoder runs (the features keep the source's order and labels).
            var labels = train.Labels().ToArray();
            if (labels.All(l => l >= 0))
            {
                foreach (var budget in budgets) budget.Draw(labels, train.Classes, r.GetValue(o.Seed), 0);
            }

            return RunCurve(settings, trainView, testView, train.Classes, budgets, draws, r.GetValue(o.Seed), r.GetValue(o.CurveLabel) ?? encoder, encoder, json, r.GetValue(o.Out), log);
        }

        using var result = new Prober(settings, log).Run(trainView, testView, train.Classes);
        // With --json the table still goes to people, on stderr; stdout holds the one JSON line.
        log.WriteLine();
        log.Write(ProbeReport.Table(result, encoder));
        if (json) Console.WriteLine(ProbeReport.Json(result, encoder));

        if (r.GetValue(o.Out) is { } outDir)
        {
            var written = ProbeOutputs.Write(result, outDir, encoder).ToList();
            var predictions = Path.Combine(outDir, "predictions.csv");
            WritePredictions(predictions, test, result);
            written.Add(predictions);
            if (result.Model is null) log.WriteLine("--trainer knn: no model zip (kNN is not an ML.NET pipeline)");
            log.WriteLine($"wrote {string.Join(", ", written)}");
        }

        return 0;
    }

    /// <summary>The budgets of --labels-per-class or --label-fraction (not both); null for a plain probe.</summary>
    private static IReadOnlyList<LabelBudget>? Budgets(ParseResult r, Options o) =>
        LabelBudget.ParseEither(r.GetValue(o.LabelsPerClass), r.GetValue(o.LabelFraction));

    /// <summary>Label efficiency: features once, then every budget and draw (<see cref="LabelEfficiency"/>); a table, JSON lines,
    /// and with --out the CSV and the figure.</summary>
    private static int RunCurve(ProbeSettings settings, IDataView trainView, IDataView testView, IReadOnlyList<string> classes, IReadOnlyList<LabelBudget> budgets,
        int draws, ulong seed, string curve, string encoder, bool json, string? outDir, TextWriter log)
    {
        var features = new Prober(settings, log).Featurise(trainView, testView, classes);
        var results = new LabelEfficiency(settings, log).Run(features, budgets, draws, seed);
        log.WriteLine();
        log.Write(LabelEfficiencyReport.Table(results, encoder, features.TestLabels.Length));
        if (json)
        {
            foreach (var result in results) Console.WriteLine(LabelEfficiencyReport.Json(result, encoder, features.TestLabels.Length));
        }

        if (outDir is not null)
        {
            var (csv, svg) = ProbePlotCommand.WriteCurve(outDir, results, curve);
            log.WriteLine($"wrote {csv}, {svg}");
        }

        return 0;
    }

    private static int Positive(int value, string name) => value > 0 ? value : throw new ArgumentException($"{name} must be positive, got {value}");

    /// <summary>A model must carry moco.* preprocessing metadata unless --preprocessing gives it.</summary>
    private static void CheckModel(string path, MoCoPreprocessing? preprocessing)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"--model: {path} does not exist (give an .onnx from moco export, or 'pixels')", path);
        if (preprocessing is not null) return;
        using var session = MoCo.Onnx.OnnxSession.Open(path);
        if (MoCoPreprocessing.FromMetadata(session.Metadata.Custom, path) is null)
        {
            throw new ArgumentException($"{path} carries no moco.* preprocessing metadata; give --preprocessing imagenet or RESIZE:CROP:CHANNELS:MEAN,..:STD,..");
        }
    }

    /// <summary>Pixels of IDX images at their own size with Fashion-MNIST's (or 0.5/0.5) normalisation; files need --preprocessing.</summary>
    private static MoCoPreprocessing PixelPreprocessing(ProbeSource train)
    {
        if (train.NativeShape is not { } shape)
        {
            throw new ArgumentException("--model pixels on image files needs --preprocessing (e.g. 36:32:3:0.5,0.5,0.5:0.5,0.5,0.5)");
        }

        var (mean, std) = DataSource.Normalisation(train.Source, shape.Channels);
        return new MoCoPreprocessing(shape.Size, shape.Size, shape.Channels, mean.Select(v => (float)v).ToArray(), std.Select(v => (float)v).ToArray());
    }

    internal static MoCoPreprocessing? ParsePreprocessing(string? text)
    {
        if (text is null) return null;
        if (text == "imagenet") return MoCoPreprocessing.ImageNet;
        var parts = text.Split(':');
        try
        {
            if (parts.Length != 5) throw new FormatException("expected five ':'-separated parts");
            static float[] Floats(string s) => s.Split(',').Select(v => float.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
            var p = new MoCoPreprocessing(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture),
                int.Parse(parts[2], CultureInfo.InvariantCulture), Floats(parts[3]), Floats(parts[4]));
            p.Validate();
            return p;
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new ArgumentException($"--preprocessing '{text}': {e.Message}; use 'imagenet' or RESIZE:CROP:CHANNELS:MEAN,..:STD,..", e);
        }
    }

    private static void WritePredictions(string path, ProbeSource test, ProbeResult result)
    {
        using var w = new StreamWriter(path);
        w.WriteLine(result.LinearPredictions is null ? "image,label,knn" : "image,label,predicted,knn");
        var i = 0;
        foreach (var source in test.Describe())
        {
            var label = result.Classes[result.TestLabels[i]];
            var knn = result.Classes[result.KnnPredictions[i]];
            var cells = result.LinearPredictions is { } linear ? new[] { source, label, result.Classes[linear[i]], knn } : [source, label, knn];
            w.WriteLine(string.Join(",", cells.Select(Csv)));
            i++;
        }
    }

    private static string Csv(string value) => value.Contains(',') || value.Contains('"') ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
}
