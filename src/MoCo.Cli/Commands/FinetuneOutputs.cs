using System.Globalization;
using System.Text;
using System.Text.Json;
using MoCo.Evaluation;
using MoCo.MLNet.Classifier;
using MoCo.MLNet.Probing;
using MoCo.Training.FineTuning;

namespace MoCo.Cli.Commands;

/// <summary>
/// What one `moco finetune` run reports and writes: the figures as `moco probe` gives them (<see cref="ProbeReport"/>'s
/// table: the fine-tuned classifier in the linear rows, kNN on the fine-tuned backbone's features with the labelled
/// images as the bank in the kNN rows), one JSON line, and in the run's directory the ONNX classifier, the ML.NET model
/// zip with its consumption code, the confusion matrix (SVG) and predictions.csv.
/// </summary>
internal static class FinetuneOutputs
{
    /// <summary>The figures of a run: the classifier's scores on the test set and kNN on its features.</summary>
    internal sealed record Figures(ProbeResult Result, ClassifierScores Scores, int[] TrainIndices)
    {
        /// <summary>Labelled training images of the run.</summary>
        internal int TrainCount => TrainIndices.Length;
    }

    /// <summary>The fine-tuned protocol's name (for the linear column of the table and the CSV).</summary>
    internal static string Protocol(FineTuneConfig c) => string.Create(CultureInfo.InvariantCulture,
        $"finetune:sgd:lr={c.LearningRate:R}:head_lr={c.HeadLr:R}:epochs={c.Epochs}{(c.FreezeBn ? ":freeze_bn" : "")}");

    /// <summary>Scores the test set with the run's network and kNN on its features (bank: the labelled training images, unaugmented).</summary>
    internal static Figures Evaluate(FineTuneRun run, ILabelledTrainingSet train, MoCo.Training.Evaluation.ILabelledImages test, IReadOnlyList<string> classes, KnnOptions knn)
    {
        var scores = run.Evaluate(test);
        var bank = run.Evaluate(train.Unaugmented);
        var knnPredictions = Knn.Classify(scores.Features, bank.Features, bank.Truth, classes.Count, knn);
        var result = new ProbeResult
        {
            Classes = classes, TrainCount = bank.Truth.Length, TestCount = scores.Truth.Length, FeatureDimension = scores.Features.Columns,
            Trainer = "finetune", LinearProtocol = Protocol(run.Config),
            Linear = ProbeMetrics.From(scores.Truth, scores.Predicted, classes.Count, scores.Probabilities),
            LinearPredictions = scores.Predicted, TestLabels = scores.Truth,
            Knn = ProbeMetrics.From(scores.Truth, knnPredictions, classes.Count), KnnPredictions = knnPredictions,
            KnnK = knn.K, KnnTemperature = knn.Temperature, KnnProtocol = knn.Name,
        };
        return new Figures(result, scores, train.Indices);
    }

    /// <summary>Writes the run's files into <paramref name="directory"/>; returns their paths.</summary>
    internal static IReadOnlyList<string> Write(FineTuneRun run, Figures figures, string directory, string encoder, IReadOnlyList<string> scoredImages)
    {
        var written = new List<string>();
        string onnx = Path.Combine(directory, ClassifierExport.FileName);
        ClassifierExport.Save(run.Model.Network, run.Config, onnx);
        written.Add(onnx);
        written.AddRange(ClassifierModel.Write(ClassifierExport.ToBytes(run.Model.Network, run.Config, probabilitiesOnly: true), directory, run.Config.Classes));
        written.AddRange(ProbeOutputs.Write(figures.Result, directory, encoder));   // no Model: the confusion matrix only
        string predictions = Path.Combine(directory, "predictions.csv");
        WritePredictions(predictions, figures, scoredImages);
        written.Add(predictions);
        return written;
    }

    private static void WritePredictions(string path, Figures f, IReadOnlyList<string> images)
    {
        var classes = f.Result.Classes;
        var s = new StringBuilder("image,label,predicted,probability,knn\n");
        for (int i = 0; i < f.Scores.Truth.Length; i++)
        {
            int p = f.Scores.Predicted[i];
            float probability = f.Scores.Probabilities[i * f.Scores.Classes + p];
            s.Append(CultureInfo.InvariantCulture, $"{CurveCsv.Quote(i < images.Count ? images[i] : "")},{CurveCsv.Quote(classes[f.Scores.Truth[i]])},{CurveCsv.Quote(classes[p])},{probability:R},{CurveCsv.Quote(classes[f.Result.KnnPredictions[i]])}\n");
        }
        File.WriteAllText(path, s.ToString());
    }

    /// <summary>One JSON object: <c>top1</c>, <c>macro_accuracy</c>, <c>log_loss</c> (the fine-tuned classifier's),
    /// <c>knn_top1</c>, <c>labels_per_class</c> (a count, "all", or null with a fraction), <c>label_fraction</c>,
    /// <c>draw</c>, <c>train_images</c>, <c>test_images</c>, <c>epochs</c>, <c>seed</c>, <c>init</c>, <c>run</c>.</summary>
    internal static string Json(Figures f, FineTuneConfig config, string runDirectory)
    {
        var m = f.Result.Linear!;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("init", config.Init);
            w.WriteNumber("top1", m.MicroAccuracy);
            w.WriteNumber("macro_accuracy", m.MacroAccuracy);
            w.WriteNumber("log_loss", m.LogLoss ?? double.NaN);
            w.WriteNumber("knn_top1", f.Result.Knn.MicroAccuracy);
            if (config.LabelsPerClass is { } n) w.WriteNumber("labels_per_class", n);
            else if (config.LabelFraction is null) w.WriteString("labels_per_class", "all");
            else w.WriteNull("labels_per_class");
            if (config.LabelFraction is { } fraction) w.WriteNumber("label_fraction", fraction); else w.WriteNull("label_fraction");
            w.WriteNumber("draw", config.Draw);
            w.WriteNumber("train_images", f.TrainCount);
            w.WriteNumber("test_images", f.Result.TestCount);
            w.WriteNumber("epochs", config.Epochs);
            w.WriteNumber("seed", config.Seed);
            w.WriteString("run", runDirectory);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The label-efficiency rows of the runs (per budget: its draws), as `moco probe` writes them: the
    /// fine-tuned classifier's top-1 in the linear columns, kNN on its features in the kNN columns.</summary>
    internal static IReadOnlyList<BudgetResult> Curve(IReadOnlyList<(LabelBudget Budget, int Draw, Figures Figures, FineTuneConfig Config)> runs, int classes, string knnProtocol) =>
        [.. runs.GroupBy(r => r.Budget).Select(g => new BudgetResult(g.Key,
            [.. g.Select(r => new DrawResult(r.Draw, r.Figures.TrainIndices, r.Figures.Result.Linear!.MicroAccuracy, r.Figures.Result.Knn.MicroAccuracy, Protocol(r.Config)))],
            classes, knnProtocol))];
}
