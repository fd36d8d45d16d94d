namespace MoCo.MLNet.Probing;

/// <summary>Which linear classifier the probe trains.</summary>
internal enum ProbeTrainerChoice
{
    /// <summary>Both SDCA and L-BFGS on part of the training data; the better on the held-out rest is refitted on all of it.</summary>
    Auto,

    /// <summary>SDCA maximum entropy.</summary>
    Sdca,

    /// <summary>L-BFGS maximum entropy.</summary>
    Lbfgs,

    /// <summary>No linear classifier: the kNN classifier only (no model zip).</summary>
    Knn,
}

/// <summary>Settings of a probe run (<c>moco probe</c>).</summary>
internal sealed record ProbeSettings
{
    /// <summary>The encoder and its runtime settings; the column names are the probe's own (<see cref="ProbeColumns"/>).</summary>
    public required MoCoFeaturesOptions Features { get; init; }

    public ProbeTrainerChoice Trainer { get; init; } = ProbeTrainerChoice.Auto;

    /// <summary>L2 weight of the linear classifiers (features are standardised); as <see cref="MoCoProbe.LinearProbe"/>.</summary>
    public float L2Regularization { get; init; } = 1e-4f;

    /// <summary>Fraction of the training rows held out to choose the trainer with <see cref="ProbeTrainerChoice.Auto"/>.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    public int K { get; init; } = KnnClassifier.DefaultK;

    public float Temperature { get; init; } = KnnClassifier.DefaultTemperature;

    /// <summary>Seed of the validation split and of ML.NET's context.</summary>
    public int Seed { get; init; }
}

/// <summary>The columns a probe's data and saved model have: image in, label out (Model Builder's names).</summary>
internal static class ProbeColumns
{
    /// <summary>The encoded image file (JPEG or PNG bytes).</summary>
    public const string Image = "ImageSource";

    /// <summary>The class name.</summary>
    public const string Label = "Label";

    public const string Features = "Features";

    public const string PredictedLabel = "PredictedLabel";

    public const string Score = "Score";
}

/// <summary>One row of a probe's data: an encoded image and its class name.</summary>
internal sealed class ProbeRow
{
    [Microsoft.ML.Data.ColumnName(ProbeColumns.Image)]
    public byte[] ImageSource { get; set; } = [];

    [Microsoft.ML.Data.ColumnName(ProbeColumns.Label)]
    public string Label { get; set; } = "";
}
