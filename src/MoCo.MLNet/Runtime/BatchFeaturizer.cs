using MoCo.MLNet.Input;
using MoCo.Onnx;

namespace MoCo.MLNet.Runtime;

/// <summary>
/// Features for a batch of images: preprocessing on worker threads, then one ONNX Runtime call for the whole batch.
/// One instance per consumer (it owns its buffers); the ONNX session is shared and thread-safe.
/// </summary>
internal sealed class BatchFeaturizer
{
    private readonly FeaturizerRuntime _runtime;
    private readonly ParallelOptions _parallel;
    private byte[] _crops = [];
    private float[] _values = [];
    private float[] _invalid = [];

    public BatchFeaturizer(FeaturizerRuntime runtime)
    {
        _runtime = runtime;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = runtime.DecodeThreads };
    }

    public int FeatureDimension => _runtime.FeatureDimension;

    /// <summary>
    /// Computes the features of <paramref name="items"/>[0..count) into <paramref name="features"/> (count·D values).
    /// A row whose image fails gets its reason in <paramref name="errors"/> and NaN features; the others are unaffected.
    /// </summary>
    public void Run(IReadOnlyList<ImageItem> items, int count, Span<float> features, string?[] errors)
    {
        if (count == 0)
        {
            return;
        }

        var d = FeatureDimension;
        if (_runtime.Kind == ImageColumnKind.Preprocessed)
        {
            var n = _runtime.Step.Preprocessing.ValueCount;
            EnsureLength(ref _values, count * n);
            for (var i = 0; i < count; i++)
            {
                errors[i] = items[i].ReadError;
                var values = errors[i] is null ? items[i].Values : null;
                if (values is null || values.Length != n)
                {
                    errors[i] ??= $"expected {n} preprocessed values, got {values?.Length ?? 0}.";
                    _values.AsSpan(i * n, n).Clear();
                }
                else
                {
                    values.CopyTo(_values, i * n);
                }
            }

            _runtime.Session.RunInto(_values.AsSpan(0, count * n), [count, n], features[..(count * d)]);
        }
        else
        {
            var preparer = _runtime.Preparer;
            var len = preparer.CropLength;
            EnsureLength(ref _crops, count * len);
            var crops = _crops;
            Parallel.For(0, count, _parallel, i =>
            {
                var slot = crops.AsSpan(i * len, len);
                errors[i] = preparer.TryPrepare(items[i], slot);
                if (errors[i] is not null)
                {
                    slot.Clear();
                }
            });
            // Unreadable rows are set to NaN below; the graph's "invalid" input (used by saved models) stays 0 here.
            EnsureLength(ref _invalid, count);
            _runtime.Session.RunInto(_crops.AsSpan(0, count * len), [count, len], _invalid.AsSpan(0, count), [count, 1], features[..(count * d)]);
        }

        for (var i = 0; i < count; i++)
        {
            if (errors[i] is not null)
            {
                features.Slice(i * d, d).Fill(float.NaN);
            }
        }
    }

    private static void EnsureLength<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[length];
        }
    }
}
