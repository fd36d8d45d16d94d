using MoCo.MLNet.Input;

namespace MoCo.MLNet.Runtime;

/// <summary>
/// The two halves of featurising a batch, kept apart so that <see cref="ReadAheadPipeline"/> can prepare one batch
/// while ONNX Runtime runs the one before: <see cref="Prepare"/> (decode, resize, crop on the decode threads, into the
/// batch's own crop buffer) and <see cref="Infer"/> (one ORT call for the whole batch, straight into the batch's
/// features). Stateless apart from the shared runtime, so any thread may call either on different batches at once.
/// </summary>
internal static class BatchFeaturizer
{
    /// <summary>A batch with buffers for <paramref name="capacity"/> rows of this runtime's step.</summary>
    public static MoCoFeatureBatch NewBatch(FeaturizerRuntime runtime, int capacity)
    {
        var preprocessed = runtime.Kind == ImageColumnKind.Preprocessed;
        var n = runtime.Step.Preprocessing.ValueCount;
        return new MoCoFeatureBatch(capacity, runtime.FeatureDimension, preprocessed ? 0 : runtime.Preparer.CropLength, preprocessed ? n : 0);
    }

    /// <summary>
    /// Turns the batch's slots [0, Count) into the step's input: crops (images, in parallel) or the preprocessed values.
    /// A row whose image fails gets its reason in the batch's errors and a zero input; the others are unaffected.
    /// Decoded images held by the slots are released here.
    /// </summary>
    public static void Prepare(FeaturizerRuntime runtime, MoCoFeatureBatch batch)
    {
        var count = batch.Count;
        var items = batch.Slots;
        var errors = batch.Errors;
        for (var i = 0; i < count; i++)
        {
            batch.Sources[i] = items[i].Source;
        }

        if (runtime.Kind == ImageColumnKind.Preprocessed)
        {
            var n = runtime.Step.Preprocessing.ValueCount;
            for (var i = 0; i < count; i++)
            {
                var item = items[i];
                errors[i] = item.ReadError;
                var values = errors[i] is null && item.Kind == ImageColumnKind.Preprocessed ? item.Values : null;
                if (values is null || values.Length != n)
                {
                    errors[i] ??= $"expected {n} preprocessed values, got {values?.Length ?? 0}.";
                    batch.Values.AsSpan(i * n, n).Clear();
                }
                else
                {
                    values.CopyTo(batch.Values, i * n);
                }
            }

            return;
        }

        var preparer = runtime.Preparer;
        var len = preparer.CropLength;
        var crops = batch.Crops;
        try
        {
            if (count == 1 || runtime.DecodeThreads == 1)
            {
                for (var i = 0; i < count; i++)
                {
                    PrepareOne(preparer, items[i], crops.AsSpan(i * len, len), errors, i);
                }
            }
            else
            {
                Parallel.For(0, count, runtime.DecodeParallelism, i => PrepareOne(preparer, items[i], crops.AsSpan(i * len, len), errors, i));
            }
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            // Not a bad image (those are returned as errors) but a fault: report it as itself.
            throw e.InnerException!;
        }
    }

    /// <summary>
    /// Runs ORT on the prepared rows [0, Count) into the batch's features (Count·D); bad rows get NaN features.
    /// A batch of bad rows only does not call ORT.
    /// </summary>
    public static void Infer(FeaturizerRuntime runtime, MoCoFeatureBatch batch)
    {
        var count = batch.Count;
        var d = runtime.FeatureDimension;
        var features = batch.FeatureValues.AsSpan(0, count * d);
        var anyGood = false;
        for (var i = 0; i < count && !anyGood; i++)
        {
            anyGood = batch.Errors[i] is null;
        }

        if (anyGood)
        {
            if (runtime.Kind == ImageColumnKind.Preprocessed)
            {
                var n = runtime.Step.Preprocessing.ValueCount;
                runtime.Session.RunInto(batch.Values.AsSpan(0, count * n), [count, n], features);
            }
            else
            {
                // crops: N x (S·S·C) uint8, invalid: N x 1 (zeros; bad rows are set to NaN below; saved models use it) → features: N x D.
                var len = runtime.Preparer.CropLength;
                runtime.Session.RunInto(batch.Crops.AsSpan(0, count * len), [count, len], batch.Invalid.AsSpan(0, count), [count, 1], features);
            }
        }

        for (var i = 0; i < count; i++)
        {
            if (batch.Errors[i] is not null)
            {
                features.Slice(i * d, d).Fill(float.NaN);
            }
        }
    }

    private static void PrepareOne(ImagePreparer preparer, ImageItem item, Span<byte> crop, string?[] errors, int i)
    {
        try
        {
            errors[i] = preparer.TryPrepare(item, crop);
            if (errors[i] is not null)
            {
                crop.Clear();
            }
        }
        finally
        {
            // A decoded image taken over from the caller (or copied out of an MLImage) is not needed any more.
            item.Dispose();
        }
    }
}
