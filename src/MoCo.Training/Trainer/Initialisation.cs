namespace MoCo.Training.Trainer;

/// <summary>What a run started with <see cref="PretrainConfig.InitFrom"/> took from the file (<see cref="PretrainRun.Initialisation"/>).</summary>
public sealed record Initialisation
{
    /// <summary>The file, with its SHA-256 as recorded in the run's config.</summary>
    public InitialWeights From { get; init; } = new();
    /// <summary>Whether the file's head was kept (it had one of the run's kind and dimension); false: a new head.</summary>
    public bool HeadKept { get; init; }
    /// <summary>Why the head was not kept (null when it was).</summary>
    public string? NewHeadReason { get; init; }
    /// <summary>Whether the key encoder is one the file brought (false: its query encoder's copy, whether the file has no
    /// encoder_k or <c>moco import</c> wrote one as that copy; or the method has none).</summary>
    public bool KeyEncoderFromFile { get; init; }
    /// <summary>Whether the run's method has a key encoder (MoCo).</summary>
    public bool HasKeyEncoder { get; init; }
    /// <summary>Whether the queue (and its pointer) came from the file.</summary>
    public bool QueueFromFile { get; init; }

    /// <summary>The lines the CLI prints: where the weights came from, the head, the queue.</summary>
    public IEnumerable<string> Describe()
    {
        string key = !HasKeyEncoder ? "" : KeyEncoderFromFile ? ", key encoder from its encoder_k" : ", key encoder copied from its query encoder (it brought none)";
        yield return $"initialised from {From.Path} (sha256 {From.Sha256[..Math.Min(12, From.Sha256.Length)]}…): query encoder from the file{key}";
        yield return HeadKept ? "head: the file's (it fits the run's config)" : $"head: new ({NewHeadReason})";
        if (HasKeyEncoder) yield return QueueFromFile ? "queue: the file's" : "queue: fresh (random unit vectors; --init-queue takes the file's)";
        yield return "optimiser, generator and position: fresh";
    }
}
