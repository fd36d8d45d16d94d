namespace MoCo.Training.Trainer;

/// <summary>
/// Where a run's weights started from (<see cref="PretrainConfig.InitFrom"/>): one of our safetensors checkpoints, a
/// trained run's or one written by <c>moco import</c>. <see cref="PretrainRun.Start"/> takes the query and key encoders
/// from it (the key encoder from the query's where the file has none), the head where it fits the run's config, and the
/// queue when <see cref="Queue"/> says so; the optimiser, generator and position start fresh. A resumed run never reads
/// the file again: its checkpoint holds everything.
/// </summary>
public sealed record InitialWeights
{
    /// <summary>The checkpoint's path, as given.</summary>
    public string Path { get; init; } = "";
    /// <summary>SHA-256 of the file (lower-case hex). Empty in a config not yet started: <see cref="PretrainRun.Start"/>
    /// records it; a config that has one refuses a file with another.</summary>
    public string Sha256 { get; init; } = "";
    /// <summary>Take the file's queue (MoCo only; the file must have one of the run's dimension and K). Default false: a
    /// fresh queue of random unit vectors.</summary>
    public bool Queue { get; init; }
}
