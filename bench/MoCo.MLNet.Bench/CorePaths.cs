using MoCo.MLNet.Input;
using MoCo.MLNet.Runtime;

namespace MoCo.MLNet.Bench;

/// <summary>
/// MoCoFeatures' runtime without the IDataView, to see where its time goes: the step graph alone in ONNX Runtime, the
/// batched core with no overlap (decode a batch, then ORT on it, in turn: <see cref="BatchFeaturizer"/>), and the
/// public <see cref="MoCoFeaturizer.FeaturizeAll"/> (decode of the next batch overlapping ORT) on the same files.
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

    /// <summary>The batched core on the files, one batch after another on one thread: decode (in parallel), then ORT; no overlap.</summary>
    public static Rate Sequential(Setup s)
    {
        using var runtime = Runtime(s);
        var batch = BatchFeaturizer.NewBatch(runtime, s.BatchSize);

        void Batch(int start)
        {
            var n = Math.Min(s.BatchSize, s.Files.Length - start);
            for (var i = 0; i < n; i++)
            {
                MoCoImageInput.FromFile(s.Files[start + i]).CopyTo(batch.Slots[i]);
            }

            batch.Count = n;
            BatchFeaturizer.Prepare(runtime, batch);
            BatchFeaturizer.Infer(runtime, batch);
            for (var i = 0; i < n; i++)
            {
                if (batch.Error(i) is { } error)
                {
                    throw new InvalidOperationException(error);
                }
            }
        }

        Batch(0);
        var clock = Clock.Start();
        for (var start = 0; start < s.Files.Length; start += s.BatchSize)
        {
            Batch(start);
        }

        return clock.Stop(s.Files.Length);
    }

    /// <summary>The public featurizer's streaming form on the files: the read-ahead pipeline without the IDataView.</summary>
    public static Rate Streaming(Setup s, bool spinning = false, DecodePlacementMode placement = DecodePlacementMode.Auto)
    {
        var options = Options(s);
        options.OrtSpinning = spinning;
        options.DecodePlacement = placement;
        using var featurizer = MoCoFeaturizer.Open(options);
        int Drain(IEnumerable<string> files)
        {
            var n = 0;
            foreach (var batch in featurizer.FeaturizeAll(files.Select(MoCoImageInput.FromFile)))
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    if (batch.Error(i) is { } error)
                    {
                        throw new InvalidOperationException(error);
                    }
                }

                n += batch.Count;
            }

            return n;
        }

        Drain(s.Files.Take(s.BatchSize));
        var clock = Clock.Start();
        var count = Drain(s.Files);
        return clock.Stop(count);
    }

    private static MoCoFeaturesOptions Options(Setup s) => new()
    {
        InputColumnName = nameof(ImageRow.Path),
        ModelPath = s.ModelPath,
        ImageFolder = s.ImageFolder,
        BatchSize = s.BatchSize,
        DecodeThreads = s.Threads,
        IntraOpThreads = s.Threads,
    };

    private static FeaturizerRuntime Runtime(Setup s)
    {
        var options = Options(s);
        var step = FittedStep.Create(EncoderModel.Load(options), ImageColumnKind.Path, StepSettings.From(options));
        return new FeaturizerRuntime(step, options);
    }
}
