namespace MoCo.Evaluation;

/// <summary>
/// The optimisers that fit the linear protocol's objective (<see cref="LinearProtocol"/>); the one choice every command
/// names. Each runs where its engine is: Adam in MoCo.Training (libtorch, <c>moco ablate</c>), L-BFGS and SDCA in
/// MoCo.MLNet (ML.NET, <c>moco probe</c>).
/// </summary>
public enum LinearTrainer
{
    /// <summary>L-BFGS (ML.NET's <c>LbfgsMaximumEntropy</c>), run to ML.NET's convergence tolerance: the protocol's
    /// minimiser. Name "lbfgs".</summary>
    Lbfgs,

    /// <summary>SDCA (ML.NET's <c>SdcaMaximumEntropy</c>), run to ML.NET's duality-gap tolerance. Name "sdca".</summary>
    Sdca,

    /// <summary>Full-batch Adam for a fixed number of steps (MoCo.Training's <c>LinearProbe</c>). Name "adam".</summary>
    Adam,
}

/// <summary>The command-line and report names of <see cref="LinearTrainer"/>: "lbfgs", "sdca", "adam".</summary>
public static class LinearTrainerNames
{
    /// <summary>The trainer's name.</summary>
    public static string Format(LinearTrainer trainer) => trainer switch
    {
        LinearTrainer.Lbfgs => "lbfgs",
        LinearTrainer.Sdca => "sdca",
        LinearTrainer.Adam => "adam",
        _ => throw new ArgumentOutOfRangeException(nameof(trainer), trainer, null),
    };

    /// <summary>The trainer named <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Not a trainer's name.</exception>
    public static LinearTrainer Parse(string name) => name?.ToLowerInvariant() switch
    {
        "lbfgs" => LinearTrainer.Lbfgs,
        "sdca" => LinearTrainer.Sdca,
        "adam" => LinearTrainer.Adam,
        _ => throw new ArgumentException($"'{name}' is not a linear trainer (lbfgs, sdca, adam)."),
    };
}
