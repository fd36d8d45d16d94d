using MoCo.Evaluation;

namespace MoCo.MLNet.Probing;

/// <summary>Settings of a probe run (<c>moco probe</c>).</summary>
internal sealed record ProbeSettings
{
    /// <summary>The encoder and its runtime settings; the column names are the probe's own (<see cref="ProbeColumns"/>).</summary>
    public required MoCoFeaturesOptions Features { get; init; }

    /// <summary>The linear trainers to try (ML.NET's: <see cref="LinearTrainer.Sdca"/>, <see cref="LinearTrainer.Lbfgs"/>).
    /// None: the kNN classifier only (no model zip). One: that trainer. Several ("auto", the default SDCA then L-BFGS): each
    /// is fitted on part of the training rows, and the best on the held-out rest (the first on a tie) is refitted on all.</summary>
    public IReadOnlyList<LinearTrainer> Trainers { get; init; } = Auto;

    /// <summary>"auto": SDCA and L-BFGS.</summary>
    public static readonly IReadOnlyList<LinearTrainer> Auto = [LinearTrainer.Sdca, LinearTrainer.Lbfgs];

    /// <summary>The protocol's λ for the linear classifiers (features are standardised); as <see cref="MoCoProbe.LinearProbe"/>.</summary>
    public double L2Regularization { get; init; } = LinearProtocol.DefaultL2;

    /// <summary>Fraction of the training rows held out to choose among several <see cref="Trainers"/>.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>The kNN classifier's k and t; default the protocol's (k 200, t 0.1).</summary>
    public KnnOptions Knn { get; init; } = new();

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
