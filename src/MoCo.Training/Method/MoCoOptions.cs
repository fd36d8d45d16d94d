namespace MoCo.Training.Method;

/// <summary>The contrastive part of a method: embedding, number of negatives, momenta, temperature, head, loss form
/// (named for MoCo, used by all <see cref="ContrastiveMethod"/>s; each says which fields it reads).</summary>
public sealed record MoCoOptions
{
    /// <summary>Embedding dimension C (default 128, the paper's).</summary>
    public int Dim { get; init; } = 128;

    /// <summary>The number of negatives K (default 65536): MoCo's queue length, which must be divisible by the keys enqueued
    /// per step (the batch size, twice it with the symmetric loss); the memory bank's negatives sampled per step. Not used
    /// end-to-end (2N − 2 negatives).</summary>
    public int QueueSize { get; init; } = 65536;

    /// <summary>Key-encoder momentum m in θk ← m·θk + (1 − m)·θq (default 0.999).</summary>
    public double Momentum { get; init; } = 0.999;

    /// <summary>Memory bank: momentum m of the update on representations v ← normalise(m·v + (1 − m)·q) (default 0.5,
    /// InstDisc's).</summary>
    public double MemoryBankMomentum { get; init; } = 0.5;

    /// <summary>Softmax temperature τ (v1: 0.07, v2: 0.2). Default 0.07.</summary>
    public double Temperature { get; init; } = 0.07;

    /// <summary>MoCo v2's MLP head (Linear(D, D), ReLU, Linear(D, C)) instead of v1's Linear(D, C). Default false.</summary>
    public bool Mlp { get; init; }

    /// <summary>Symmetric loss (MoCo's CIFAR demo): both views serve as queries, loss = l(q1, k2) + l(q2, k1), both key
    /// batches enqueued. Default false.</summary>
    public bool Symmetric { get; init; }

    /// <summary>Shuffle the key batch before the key encoder (shuffle BN; with split BN on one device). Default true.</summary>
    public bool ShuffleKeys { get; init; } = true;

    internal void Validate()
    {
        if (Dim <= 0) throw new ArgumentException($"the embedding dimension must be positive, got {Dim}");
        if (QueueSize <= 0) throw new ArgumentException($"the queue size must be positive, got {QueueSize}");
        if (Momentum is < 0 or > 1) throw new ArgumentException($"the momentum must lie in [0, 1], got {Momentum}");
        if (MemoryBankMomentum is < 0 or > 1) throw new ArgumentException($"the memory-bank momentum must lie in [0, 1], got {MemoryBankMomentum}");
        if (Temperature <= 0) throw new ArgumentException($"the temperature must be positive, got {Temperature}");
    }
}
