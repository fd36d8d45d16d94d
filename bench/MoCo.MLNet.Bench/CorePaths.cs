using MoCo.MLNet.Input;
using MoCo.MLNet.Runtime;

namespace MoCo.MLNet.Bench;

/// <summary>
/// MoCoFeatures' runtime without the IDataView, to see where its time goes: the step graph alone in ONNX Runtime, and
/// the batched core (<see cref="BatchFeaturizer"/>: parallel decode, then one ORT call per batch) on the same files.
/// </summary>
internal static class CorePaths
{
    /// <summary>ORT alone on the graph MoCoFeatures runs (uint8 HWC crops in, normalisation and the encoder inside).</summary>
    public static Rate StepGraph(Setup s)
    {
        using var runtime = Runtime(s);
        var len = runtime.Preparer.CropLength;
        var crops = new byte[s.BatchSize * len];
        new Random(0).NextBytes(crops);
        var invalid = new float[s.BatchSize];
        var features = new float[s.BatchSize * runtime.FeatureDimension];
        long[] shape = [s.BatchSize, len];
        long[] invalidShape = [s.BatchSize, 1];
        runtime.Session.RunInto(crops, shape, invalid, invalidShape, features);
        var batches = (s.Files.Length + s.BatchSize - 1) / s.BatchSize;
        var clock = Clock.Start();
        for (var b = 0; b < batches; b++)
        {
            runtime.Session.RunInto(crops, shape, invalid, invalidShape, features);
        }

        return clock.Stop(batches * s.BatchSize);
    }

    /// <summary>The batched core on the files, batch after batch, as the read-ahead cursor runs it (no IDataView).</summary>
    public static Rate Batched(Setup s)
    {
        using var runtime = Runtime(s);
        var featurizer = new BatchFeaturizer(runtime);
        var items = Enumerable.Range(0, s.BatchSize).Select(_ => new ImageItem()).ToArray();
        var features = new float[s.BatchSize * runtime.FeatureDimension];
        var errors = new string?[s.BatchSize];

        void Batch(int start)
        {
            var n = Math.Min(s.BatchSize, s.Files.Length - start);
            for (var i = 0; i < n; i++)
            {
                items[i].SetPath(s.Files[start + i]);
            }

            featurizer.Run(items, n, features, errors);
            if (errors.Take(n).FirstOrDefault(e => e is not null) is { } error)
            {
                throw new InvalidOperationException(error);
            }
        }

        Batch(0);
        var clock = Clock.Start();
        for (var start = 0; start < s.Files.Length; start += s.BatchSize)
        {
            Batch(start);
        }

        foreach (var item in items)
        {
            item.Dispose();
        }

        return clock.Stop(s.Files.Length);
    }

    private static FeaturizerRuntime Runtime(Setup s)
    {
        var options = new MoCoFeaturesOptions
        {
            InputColumnName = nameof(ImageRow.Path),
            ModelPath = s.ModelPath,
            ImageFolder = s.ImageFolder,
            BatchSize = s.BatchSize,
            DecodeThreads = s.Threads,
            IntraOpThreads = s.Threads,
        };
        var step = FittedStep.Create(EncoderModel.Load(options), ImageColumnKind.Path, StepSettings.From(options));
        return new FeaturizerRuntime(step, options);
    }
}
