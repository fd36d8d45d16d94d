using MoCo.Evaluation;
using static TorchSharp.torch;

namespace MoCo.Training.Evaluation;

/// <summary>Between libtorch tensors and the protocol's <see cref="FeatureMatrix"/> (float32, row-major, on the CPU).</summary>
public static class FeatureTensors
{
    /// <summary>A copy of <paramref name="features"/> (N × D, any device and floating type) as float32 rows.</summary>
    /// <exception cref="ArgumentException">Not two-dimensional.</exception>
    public static FeatureMatrix ToMatrix(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.dim() != 2) throw new ArgumentException($"expected features of shape [N, D], got [{string.Join(", ", features.shape)}]");
        using var scope = NewDisposeScope();
        var values = features.detach().to(CPU).to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        return new FeatureMatrix(values, (int)features.size(0), (int)features.size(1));
    }

    /// <summary>A float32 CPU tensor (N × D) holding a copy of <paramref name="features"/>; the caller disposes it.</summary>
    public static Tensor ToTensor(FeatureMatrix features)
    {
        ArgumentNullException.ThrowIfNull(features);
        return tensor((float[])features.Values.Clone(), [features.Rows, features.Columns]);
    }

    /// <summary>Labels as the protocol's class indices.</summary>
    /// <exception cref="ArgumentException">A label outside int's range.</exception>
    public static int[] ToClasses(IReadOnlyList<long> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var result = new int[labels.Count];
        for (int i = 0; i < result.Length; i++)
            result[i] = labels[i] is >= 0 and <= int.MaxValue ? (int)labels[i] : throw new ArgumentException($"label {labels[i]} is not a class index");
        return result;
    }
}
