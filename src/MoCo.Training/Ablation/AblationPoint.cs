using System.Globalization;
using MoCo.Training.Method;
using MoCo.Training.Trainer;

namespace MoCo.Training.Ablation;

/// <summary>
/// One point of an ablation grid: a contrastive mechanism with its number of negatives K, the key-encoder momentum m,
/// shuffle BN on or off, and the batch size; <see cref="Sweeps"/> names the sweeps it belongs to. A point that cannot run
/// as asked (an end-to-end batch over the limit) carries the reason in <see cref="SkipReason"/>.
/// </summary>
/// <param name="Method">The mechanism.</param>
/// <param name="Negatives">Negatives per query: MoCo's queue length, the memory bank's sample count, end-to-end's 2N − 2.</param>
/// <param name="Momentum">Key-encoder momentum m (MoCo).</param>
/// <param name="ShuffleBn">Shuffle BN on (keys shuffled across split-BN sub-batches).</param>
/// <param name="BatchSize">Batch size N.</param>
public sealed record AblationPoint(ContrastiveMethod Method, int Negatives, double Momentum, bool ShuffleBn, int BatchSize)
{
    /// <summary>The sweeps this point belongs to ("negatives", "momentum", "shuffle-bn").</summary>
    public IReadOnlyList<string> Sweeps { get; init; } = [];

    /// <summary>The baseline: the base config's encoder at initialisation, evaluated without training.</summary>
    public bool Untrained { get; init; }

    /// <summary>Why the point is not run (null: it is run).</summary>
    public string? SkipReason { get; init; }

    /// <summary>The point's folder name in the ablation's output directory, e.g. <c>moco-k4096-m0.99-sbn-b256</c>
    /// (<c>nosbn</c> without shuffle BN); the baseline's is <c>random-init</c>.</summary>
    public string Name => Untrained ? RandomInit : string.Create(CultureInfo.InvariantCulture,
        $"{ContrastiveMethodNames.Format(Method)}-k{Negatives}-m{Momentum:R}-{(ShuffleBn ? "sbn" : "nosbn")}-b{BatchSize}");

    /// <summary>The baseline point's name and its method column: "random-init".</summary>
    public const string RandomInit = "random-init";

    /// <summary>The run's config: <paramref name="baseConfig"/> with this point's method, negatives, momentum, shuffle BN and
    /// batch. End-to-end takes its negatives from the batch (K = 2N − 2) and keeps the base queue length, which it does not use.</summary>
    public PretrainConfig Apply(PretrainConfig baseConfig)
    {
        ArgumentNullException.ThrowIfNull(baseConfig);
        return baseConfig with
        {
            Method = Method,
            QueueSize = Method == ContrastiveMethod.EndToEnd ? baseConfig.QueueSize : Negatives,
            Momentum = Momentum,
            ShuffleKeys = ShuffleBn,
            BatchSize = BatchSize,
        };
    }
}
