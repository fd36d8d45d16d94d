using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MoCo.MLNet.Probing;

/// <summary>
/// Model Builder's image classification on frozen MoCo features: featurise the training and test images once
/// (MoCoFeatures, batched), train ML.NET multiclass trainers on the features (SDCA, L-BFGS, or both with the better one
/// on held-out training rows kept), run MoCo's kNN classifier on the same features, and assemble the whole pipeline
/// (image in, label out) for saving.
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
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(classes);
        if (classes.Count < 2)
        {
            throw new ArgumentException($"a probe needs at least two classes, got {classes.Count}.");
        }

        var ml = new MLContext(settings.Seed);
        var options = FeatureOptions();
        var clock = Stopwatch.StartNew();
        var featurizer = ml.Transforms.MoCoFeatures(options).Fit(train);
        try
        {
            var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
            var (trainX, trainY) = ReadFeatures(featurizer.Transform(train), index, "training", featurizer.FeatureDimension);
            var (testX, testY) = ReadFeatures(featurizer.Transform(test), index, "test", featurizer.FeatureDimension);
            var featuriseTime = clock.Elapsed;
            _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"featurised {trainX.Rows} training and {testX.Rows} test images ({featurizer.FeatureDimension} features) in {featuriseTime.TotalSeconds:F1} s"));

            clock.Restart();
            var knnPredictions = KnnClassifier.Predict(testX.L2Normalised(), trainX.L2Normalised(), trainY, classes.Count, settings.K, settings.Temperature);
            var knn = ProbeMetrics.From(testY, knnPredictions, classes.Count);
            var knnTime = clock.Elapsed;
            _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kNN (k {settings.K}, t {settings.Temperature}): top-1 {knn.MicroAccuracy * 100:F2}% in {knnTime.TotalSeconds:F1} s"));

            var result = new ProbeResult
            {
                Classes = classes, TrainCount = trainX.Rows, TestCount = testX.Rows, FeatureDimension = trainX.Columns,
                Knn = knn, KnnK = settings.K, KnnTemperature = settings.Temperature, KnnPredictions = knnPredictions, TestLabels = testY, FeaturiseTime = featuriseTime, KnnTime = knnTime,
            };
            if (settings.Trainer == ProbeTrainerChoice.Knn)
            {
                featurizer.Dispose();
                return result;
            }

            clock.Restart();
            var keyData = ml.Data.LoadFromEnumerable(classes.Select(c => new ClassRow { Name = c }));
            var (trainer, validation) = Choose(ml, trainX, trainY, classes, keyData);
            var head = MoCoProbe.Head(ml, ProbeColumns.Features, ProbeColumns.Label, trainer, settings.L2Regularization, keyData)
                .Fit(FeaturesView(ml, trainX, trainY, classes));
            var trainTime = clock.Elapsed;
            var (predicted, probabilities) = Score(head, FeaturesView(ml, testX, testY, classes), classes.Count);
            var linear = ProbeMetrics.From(testY, predicted, classes.Count, probabilities);
            _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Name(trainer)}: top-1 {linear.MicroAccuracy * 100:F2}%, trained in {trainTime.TotalSeconds:F1} s"));
            var toValue = ml.Transforms.Conversion.MapKeyToValue(ProbeColumns.PredictedLabel).Fit(head.Transform(FeaturesView(ml, testX, testY, classes)));
            return result with
            {
                Trainer = Name(trainer), Validation = validation, Linear = linear, LinearPredictions = predicted, TrainTime = trainTime,
                Model = new TransformerChain<ITransformer>(featurizer, head, toValue), Featurizer = featurizer, InputSchema = train.Schema,
            };
        }
        catch
        {
            featurizer.Dispose();
            throw;
        }
    }

    internal static string Name(MoCoProbeTrainer trainer) => trainer switch
    {
        MoCoProbeTrainer.Sdca => "sdca",
        _ => "lbfgs",
    };

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
    private (MoCoProbeTrainer, IReadOnlyDictionary<string, double>?) Choose(MLContext ml, FeatureMatrix x, int[] y, IReadOnlyList<string> classes, IDataView keyData)
    {
        switch (settings.Trainer)
        {
            case ProbeTrainerChoice.Sdca:
                return (MoCoProbeTrainer.Sdca, null);
            case ProbeTrainerChoice.Lbfgs:
                return (MoCoProbeTrainer.Lbfgs, null);
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
        var best = MoCoProbeTrainer.Lbfgs;
        foreach (var candidate in new[] { MoCoProbeTrainer.Sdca, MoCoProbeTrainer.Lbfgs })
        {
            var clock = Stopwatch.StartNew();
            var model = MoCoProbe.Head(ml, ProbeColumns.Features, ProbeColumns.Label, candidate, settings.L2Regularization, keyData).Fit(fitView);
            var (predicted, _) = Score(model, validationView, classes.Count);
            var accuracy = ProbeMetrics.From(validationRows.Select(i => y[i]).ToArray(), predicted, classes.Count).MicroAccuracy;
            scores[Name(candidate)] = accuracy;
            _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"auto: {Name(candidate)} {accuracy * 100:F2}% on {held} held-out training images (fitted on {fitRows.Length} in {clock.Elapsed.TotalSeconds:F1} s)"));
            if (candidate == MoCoProbeTrainer.Sdca || accuracy > scores[Name(best)])
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
