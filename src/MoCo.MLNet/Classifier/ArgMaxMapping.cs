using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MoCo.MLNet.Classifier;

// The one custom mapping of a saved fine-tuned classifier. ML.NET stores its contract name and this assembly's name and
// re-creates it at load; it has no state. Public only because ML.NET instantiates it by reflection: not for direct use.

/// <summary>Input of <see cref="ArgMaxMapping"/>: the class probabilities.</summary>
public sealed class ArgMaxInput
{
    /// <summary>One probability per class.</summary>
    [ColumnName(ClassifierColumns.Score)]
    public float[] Score { get; set; } = [];
}

/// <summary>Output of <see cref="ArgMaxMapping"/>: the index of the largest probability.</summary>
public sealed class ArgMaxOutput
{
    /// <summary>The predicted class's index (equal probabilities: the lower index, as the classifier's argmax).</summary>
    [ColumnName(ClassifierColumns.PredictedIndex)]
    public int PredictedIndex { get; set; }
}

/// <summary>Saved-model mapping: class probabilities → the index of the largest (the first on ties; -1 for a row
/// without scores or with a NaN, e.g. an unreadable image under a skipping policy).</summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class ArgMaxMapping : CustomMappingFactory<ArgMaxInput, ArgMaxOutput>
{
    /// <summary>The contract name stored in model zips.</summary>
    public const string ContractName = "MoCo.MLNet.ArgMax.v1";

    /// <inheritdoc />
    public override Action<ArgMaxInput, ArgMaxOutput> GetMapping() => (src, dst) => dst.PredictedIndex = ArgMax(src.Score);

    /// <summary>The first index of the largest value; -1 when empty or any value is NaN.</summary>
    internal static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = -1;
        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsNaN(values[i])) return -1;
            if (best < 0 || values[i] > values[best]) best = i;
        }

        return best;
    }
}

/// <summary>The columns of a fine-tuned classifier's ML.NET model (the probe's names: Model Builder's).</summary>
internal static class ClassifierColumns
{
    /// <summary>The encoded image (file bytes).</summary>
    public const string Image = "ImageSource";

    /// <summary>The class probabilities, Vector&lt;Single, classes&gt;.</summary>
    public const string Score = "Score";

    /// <summary>The predicted class's name.</summary>
    public const string PredictedLabel = "PredictedLabel";

    /// <summary>The predicted class's index (dropped from the output).</summary>
    public const string PredictedIndex = "PredictedIndex";
}
