using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.Evaluation;

namespace MoCo.MLNet.Probing;

/// <summary>
/// Model Builder's image classification on frozen MoCo features: featurise the training and test images once
/// (MoCoFeatures, batched), fit the linear protocol on the features with ML.NET's trainers (SDCA, L-BFGS, or both with
/// the better one on held-out training rows kept), run the protocol's kNN on the same features, and assemble the whole
/// pipeline (image in, label out) for saving. The figures carry the protocols' names.
/// </summary>
internal sealed class Prober(ProbeSettings settings, TextWriter? log = null)
{
    private readonly TextWriter _log = log ?? TextWriter.Null;

    /// <summary>Runs the probe.</summary>
    /// <param name="train">Rows of <see cref="ProbeRow"/>'s columns (an encoded image and a class name).</param>
    /// <param name="test">The same columns.</param>
    /// <param name="classes">Class names in the order the figures list them; every label must be one of them.</param>
    public ProbeResult Run(IDataView train, IDataView test, IReadOnlyList<string> classes)
    {
        var ml = new MLContext(settings.Seed);
        var (features, featurizer) = FeaturiseKeeping(ml, train, test, classes);
        try
        {
            var (trainX, trainY, testX, testY) = (features.TrainFeatures, features.TrainLabels, features.TestFeatures, features.TestLabels);
            var clock = Stopwatch.StartNew();
            var (knnPredictions, knn) = KnnFigures(trainX, trainY, testX, testY, classes.Count, settings.Knn);
            var knnTime = clock.Elapsed;
            _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kNN ({settings.Knn.Name}): top-1 {knn.MicroAccuracy * 100:F2}% in {knnTime.TotalSeconds:F1} s"));

            var result = new ProbeResult
            {
                Classes = classes, TrainCount = trainX.Rows, TestCount = testX.Rows, FeatureDimension = trainX.Columns,
                Knn = knn, KnnK = settings.Knn.K, KnnTemperature = settings.Knn.Temperature, KnnProtocol = settings.Knn.Name, KnnPredictions = knnPredictions, TestLabels = testY, FeaturiseTime = features.FeaturiseTime, KnnTime = knnTime,
            };
            if (settings.Trainers.Count == 0)
            {
                featurizer.Dispose();
                return result;
            }

            clock.Restart();
            var fit = FitLinear(ml, features, trainX, trainY);
            var trainTime = clock.Elapsed;
            _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{fit.Protocol}: top-1 {fit.Linear.MicroAccuracy * 100:F2}%, trained in {trainTime.TotalSeconds:F1} s"));
            var toValue = ml.Transforms.Conversion.MapKeyToValue(ProbeColumns.PredictedLabel).Fit(fit.Head.Transform(FeaturesView(ml, testX, testY, classes)));
            return result with
            {
                Trainer = LinearTrainerNames.Format(fit.Trainer), LinearProtocol = fit.Protocol, Validation = fit.Validation, Linear = fit.Linear, LinearPredictions = fit.Predictions, TrainTime = trainTime,
                Model = new TransformerChain<ITransformer>(featurizer, fit.Head, toValue), Featurizer = featurizer, InputSchema = train.Schema,
            };
        }
        catch
        {
            featurizer.Dispose();
            throw;
        }
    }

    /// <summary>The features of the training and test images, computed once (the encoder is the expensive part); the
    /// encoder's session is released. What <see cref="LabelEfficiency"/> draws its label subsets from.</summary>
    /// <param name="train">Rows of <see cref="ProbeRow"/>'s columns (an encoded image and a class name).</param>
    /// <param name="test">The same columns.</param>
    /// <param name="classes">Class names; every label must be one of them.</param>
    public ProbeFeatures Featurise(IDataView train, IDataView test, IReadOnlyList<string> classes)
    {
        var (features, featurizer) = FeaturiseKeeping(new MLContext(settings.Seed), train, test, classes);
        featurizer.Dispose();
        return features;
    }

    /// <summary>Both entries' first step: checks the arguments, then featurises with the encoder kept open.</summary>
    private (ProbeFeatures, MoCoFeaturesTransformer) FeaturiseKeeping(MLContext ml, IDataView train, IDataView test, IReadOnlyList<string> classes)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(classes);
        if (classes.Count < 2)
        {
            throw new ArgumentException($"a probe needs at least two classes, got {classes.Count}.");
        }

        var clock = Stopwatch.StartNew();
        var featurizer = ml.Transforms.MoCoFeatures(FeatureOptions()).Fit(train);
        try
        {
            var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
            var (trainX, trainY) = ReadFeatures(featurizer.Transform(train), index, "training", featurizer.FeatureDimension);
            var (testX, testY) = ReadFeatures(featurizer.Transform(test), index, "test", featurizer.FeatureDimension);
            var featuriseTime = clock.Elapsed;
            _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"featurised {trainX.Rows} training and {testX.Rows} test images ({featurizer.FeatureDimension} features) in {featuriseTime.TotalSeconds:F1} s"));
            var features = new ProbeFeatures
            {
                Classes = classes, TrainFeatures = trainX, TrainLabels = trainY, TestFeatures = testX, TestLabels = testY, FeaturiseTime = featuriseTime,
            };
            return (features, featurizer);
        }
        catch
        {
            featurizer.Dispose();
            throw;
        }
    }

    /// <summary>The linear protocol fitted on (<paramref name="x"/>, <paramref name="y"/>) with the settings' trainers (several:
    /// chosen on held-out rows) and scored on the test features of <paramref name="features"/>.</summary>
    internal LinearFit FitLinear(MLContext ml, ProbeFeatures features, FeatureMatrix x, int[] y)
    {
        if (settings.Trainers.Count == 0)
        {
            throw new InvalidOperationException("no linear trainer to fit (kNN only).");
        }

        var classes = features.Classes;
        var keyData = ml.Data.LoadFromEnumerable(classes.Select(c => new ClassRow { Name = c }));
        var (trainer, validation) = Choose(ml, x, y, classes, keyData);
        var head = MoCoProbe.Head(ml, ProbeColumns.Features, ProbeColumns.Label, trainer, settings.L2Regularization, keyData)
            .Fit(FeaturesView(ml, x, y, classes));
        var (predicted, probabilities) = Score(head, FeaturesView(ml, features.TestFeatures, features.TestLabels, classes), classes.Count);
        var linear = ProbeMetrics.From(features.TestLabels, predicted, classes.Count, probabilities);
        return new LinearFit(trainer, LinearProtocol.Name(trainer, settings.L2Regularization), validation, head, linear, predicted);
    }

    /// <summary>A fitted linear head and its figures on the test features.</summary>
    internal sealed record LinearFit(LinearTrainer Trainer, string Protocol, IReadOnlyDictionary<string, double>? Validation, ITransformer Head, ProbeMetrics Linear, int[] Predictions);

    /// <summary>The protocol's kNN (<see cref="MoCo.Evaluation.Knn.Classify"/>, raw features normalised there) of the test
    /// rows against the training rows, and its figures: the kNN every command reports on the same features.</summary>
    internal static (int[] Predictions, ProbeMetrics Figures) KnnFigures(FeatureMatrix train, int[] trainLabels, FeatureMatrix test, int[] testLabels, int classes, KnnOptions knn)
    {
        var predictions = MoCo.Evaluation.Knn.Classify(test, train, trainLabels, classes, knn);
        return (predictions, ProbeMetrics.From(testLabels, predictions, classes));
    }

    private MoCoFeaturesOptions FeatureOptions()
    {
        var o = settings.Features;
        return new MoCoFeaturesOptions
        {
            OutputColumnName = ProbeColumns.Features, InputColumnName = ProbeColumns.Image, ModelPath = o.ModelPath, ModelBytes = o.ModelBytes,
            BatchSize = o.BatchSize, DecodeThreads = o.DecodeThreads, IntraOpThreads = o.IntraOpThreads, GpuDeviceId = o.GpuDeviceId,
            FallbackToCpu = o.FallbackToCpu, BadImages = MoCoBadImagePolicy.Throw, Preprocessing = o.Preprocessing, ScaledJpegDecode = o.ScaledJpegDecode,
        };
    }

    /// <summary>The trainer to fit on all training rows, and the held-out accuracies that chose it (auto only).</summary>
    private (LinearTrainer, IReadOnlyDictionary<string, double>?) Choose(MLContext ml, FeatureMatrix x, int[] y, IReadOnlyList<string> classes, IDataView keyData)
    {
        if (settings.Trainers.Count == 1)
        {
            return (settings.Trainers[0], null);
        }

        // Model Builder picks on validation data; without any, it holds out part of the training data, as here.
        var order = Enumerable.Range(0, x.Rows).ToArray();
        new Random(settings.Seed).Shuffle(order);
        var held = Math.Clamp((int)Math.Round(x.Rows * settings.ValidationFraction), 1, x.Rows - 1);
        var fitRows = order[held..];
        var validationRows = order[..held];
        var fitView = FeaturesView(ml, x.Select(fitRows), fitRows.Select(i => y[i]).ToArray(), classes);
        var validationView = FeaturesView(ml, x.Select(validationRows), validationRows.Select(i => y[i]).ToArray(), classes);
        var scores = new Dictionary<string, double>();
        var best = settings.Trainers[0];
        foreach (var candidate in settings.Trainers)
        {
            var clock = Stopwatch.StartNew();
            var model = MoCoProbe.Head(ml, ProbeColumns.Features, ProbeColumns.Label, candidate, settings.L2Regularization, keyData).Fit(fitView);
            var (predicted, _) = Score(model, validationView, classes.Count);
            var accuracy = ProbeMetrics.From(validationRows.Select(i => y[i]).ToArray(), predicted, classes.Count).MicroAccuracy;
            var name = LinearTrainerNames.Format(candidate);
            scores[name] = accuracy;
            _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"auto: {name} {accuracy * 100:F2}% on {held} held-out training images (fitted on {fitRows.Length} in {clock.Elapsed.TotalSeconds:F1} s)"));
            if (accuracy > scores[LinearTrainerNames.Format(best)])
            {
                best = candidate;
            }
        }

        return (best, scores);
    }

    /// <summary>The features column and the class index of every row (a label outside the classes is an error).</summary>
    private static (FeatureMatrix, int[]) ReadFeatures(IDataView data, Dictionary<string, int> classes, string what, int dimension)
    {
        var values = new List<float>();
        var labels = new List<int>();
        using (var cursor = data.GetRowCursor(data.Schema.Where(c => c.Name is ProbeColumns.Features or ProbeColumns.Label)))
        {
            var features = cursor.GetGetter<VBuffer<float>>(data.Schema[ProbeColumns.Features]);
            var label = cursor.GetGetter<ReadOnlyMemory<char>>(data.Schema[ProbeColumns.Label]);
            VBuffer<float> row = default;
            ReadOnlyMemory<char> name = default;
            while (cursor.MoveNext())
            {
                label(ref name);
                if (!classes.TryGetValue(name.ToString(), out var c))
                {
                    throw new ArgumentException($"the {what} data has label '{name}', which is not one of the classes ({string.Join(", ", classes.Keys)}).");
                }

                features(ref row);
                values.AddRange(row.DenseValues());
                labels.Add(c);
            }
        }

        if (labels.Count == 0)
        {
            throw new ArgumentException($"the {what} data holds no images.");
        }

        return (new FeatureMatrix(values.ToArray(), labels.Count, dimension), labels.ToArray());
    }

    /// <summary>Features and class names as a data view whose features column has the type MoCoFeatures gives ([1, D]).</summary>
    private static IDataView FeaturesView(MLContext ml, FeatureMatrix x, int[] y, IReadOnlyList<string> classes)
    {
        var definition = SchemaDefinition.Create(typeof(FeatureRow));
        definition[ProbeColumns.Features].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 1, x.Columns);
        var rows = Enumerable.Range(0, x.Rows).Select(i => new FeatureRow { Features = x.Row(i).ToArray(), Label = classes[y[i]] });
        return ml.Data.LoadFromEnumerable(rows.ToArray(), definition);
    }

    /// <summary>Predicted class indices and class probabilities (row-major) of a fitted head.</summary>
    private static (int[], float[]) Score(ITransformer head, IDataView data, int classes)
    {
        var scored = head.Transform(data);
        var predicted = new List<int>();
        var probabilities = new List<float>();
        using var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name is ProbeColumns.PredictedLabel or ProbeColumns.Score));
        var label = cursor.GetGetter<uint>(scored.Schema[ProbeColumns.PredictedLabel]);
        var score = cursor.GetGetter<VBuffer<float>>(scored.Schema[ProbeColumns.Score]);
        uint key = 0;
        VBuffer<float> scores = default;
        while (cursor.MoveNext())
        {
            label(ref key);
            score(ref scores);
            if (key == 0 || scores.Length != classes)
            {
                throw new InvalidOperationException($"the classifier gave key {key} and {scores.Length} scores for {classes} classes.");
            }

            predicted.Add((int)key - 1);
            probabilities.AddRange(scores.DenseValues());
        }

        return (predicted.ToArray(), probabilities.ToArray());
    }

    private sealed class FeatureRow
    {
        [ColumnName(ProbeColumns.Features)]
        public float[] Features { get; set; } = [];

        [ColumnName(ProbeColumns.Label)]
        public string Label { get; set; } = "";
    }

    private sealed class ClassRow
    {
        public string Name { get; set; } = "";
    }
}
