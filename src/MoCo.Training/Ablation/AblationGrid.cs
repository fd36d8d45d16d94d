using MoCo.Training.Method;
using MoCo.Training.Trainer;

namespace MoCo.Training.Ablation;

/// <summary>What an ablation sweeps. The defaults are the MoCo paper's: Figure 3's three mechanisms over K, Table (b)'s
/// momenta, and shuffle BN on and off (§3.3).</summary>
public sealed record AblationSweeps
{
    /// <summary>Sweep the number of negatives K for each of <see cref="Methods"/> (the paper's Figure 3).</summary>
    public bool Negatives { get; init; }
    /// <summary>Sweep MoCo's momentum over <see cref="Momenta"/>.</summary>
    public bool Momentum { get; init; }
    /// <summary>MoCo with shuffle BN on and off.</summary>
    public bool ShuffleBn { get; init; }
    /// <summary>Add the baseline: the encoder at initialisation (the base config's seed), evaluated without training, so
    /// each point's gain over random features can be read. Default false (the command's --baseline defaults to true).</summary>
    public bool Baseline { get; init; }
    /// <summary>The K values of the negatives sweep. Default 256, 1024, 4096.</summary>
    public IReadOnlyList<int> NegativesList { get; init; } = [256, 1024, 4096];
    /// <summary>The mechanisms of the negatives sweep. Default all three.</summary>
    public IReadOnlyList<ContrastiveMethod> Methods { get; init; } = [ContrastiveMethod.MoCo, ContrastiveMethod.EndToEnd, ContrastiveMethod.MemoryBank];
    /// <summary>The momenta of the momentum sweep. Default 0, 0.9, 0.99, 0.999, 0.9999.</summary>
    public IReadOnlyList<double> Momenta { get; init; } = [0, 0.9, 0.99, 0.999, 0.9999];
    /// <summary>The largest end-to-end batch run (its K = 2N − 2 grows with the batch, and so do memory and time per
    /// step). Larger ones are listed as skipped. Default 1024.</summary>
    public int MaxEndToEndBatch { get; init; } = 1024;
}

/// <summary>Expands <see cref="AblationSweeps"/> over a base config into grid points.</summary>
public static class AblationGrid
{
    /// <summary>
    /// The points of <paramref name="sweeps"/> around <paramref name="baseConfig"/> (which gives the fixed values: the
    /// momentum and K of the momentum and shuffle-BN sweeps, the batch of MoCo and the memory bank). A point shared by two
    /// sweeps appears once, listing both. End-to-end's K is 2N − 2: the batch is the multiple of the BN splits nearest to
    /// K/2 + 1, and the point's K is the 2N − 2 of that batch.
    /// </summary>
    public static IReadOnlyList<AblationPoint> Expand(PretrainConfig baseConfig, AblationSweeps sweeps)
    {
        ArgumentNullException.ThrowIfNull(baseConfig);
        ArgumentNullException.ThrowIfNull(sweeps);
        if (!sweeps.Negatives && !sweeps.Momentum && !sweeps.ShuffleBn) throw new ArgumentException("no sweep chosen: use negatives, momentum and/or shuffle-bn");
        if (sweeps.MaxEndToEndBatch <= 0) throw new ArgumentException($"the largest end-to-end batch must be positive, got {sweeps.MaxEndToEndBatch}");
        var points = new List<AblationPoint>();

        void Add(AblationPoint point, string sweep)
        {
            int at = points.FindIndex(p => p.Name == point.Name);
            if (at < 0) points.Add(point with { Sweeps = [sweep] });
            else if (!points[at].Sweeps.Contains(sweep)) points[at] = points[at] with { Sweeps = [.. points[at].Sweeps, sweep] };
        }

        AblationPoint MoCoPoint(int k, double m, bool shuffle) => new(ContrastiveMethod.MoCo, k, m, shuffle, baseConfig.BatchSize);

        if (sweeps.Baseline) Add(MoCoPoint(baseConfig.QueueSize, baseConfig.Momentum, baseConfig.ShuffleKeys) with { Untrained = true }, "baseline");

        if (sweeps.Negatives)
        {
            if (sweeps.NegativesList.Count == 0) throw new ArgumentException("the negatives sweep needs at least one K");
            if (sweeps.Methods.Count == 0) throw new ArgumentException("the negatives sweep needs at least one method");
            foreach (ContrastiveMethod method in sweeps.Methods.Distinct())
            {
                foreach (int k in sweeps.NegativesList)
                {
                    if (k <= 0) throw new ArgumentException($"K must be positive, got {k}");
                    Add(method switch
                    {
                        ContrastiveMethod.EndToEnd => EndToEndPoint(k, baseConfig, sweeps.MaxEndToEndBatch),
                        _ => new AblationPoint(method, k, baseConfig.Momentum, baseConfig.ShuffleKeys, baseConfig.BatchSize),
                    }, "negatives");
                }
            }
        }
        if (sweeps.Momentum)
        {
            if (sweeps.Momenta.Count == 0) throw new ArgumentException("the momentum sweep needs at least one m");
            foreach (double m in sweeps.Momenta)
            {
                if (!(m >= 0 && m < 1)) throw new ArgumentException($"a momentum must lie in [0, 1), got {m}");
                Add(MoCoPoint(baseConfig.QueueSize, m, baseConfig.ShuffleKeys), "momentum");
            }
        }
        if (sweeps.ShuffleBn)
        {
            Add(MoCoPoint(baseConfig.QueueSize, baseConfig.Momentum, true), "shuffle-bn");
            Add(MoCoPoint(baseConfig.QueueSize, baseConfig.Momentum, false), "shuffle-bn");
        }
        return points;
    }

    /// <summary>End-to-end for about <paramref name="k"/> negatives: batch N, the multiple of the BN splits nearest to
    /// K/2 + 1 (at least one multiple), and K = 2N − 2 (the other 2N − 2 views of the batch).</summary>
    internal static AblationPoint EndToEndPoint(int k, PretrainConfig baseConfig, int maxBatch)
    {
        int splits = Math.Max(1, baseConfig.BnSplits);
        int batch = Math.Max(splits, (int)Math.Round((k / 2.0 + 1) / splits, MidpointRounding.AwayFromZero) * splits);
        var point = new AblationPoint(ContrastiveMethod.EndToEnd, 2 * batch - 2, baseConfig.Momentum, baseConfig.ShuffleKeys, batch);
        return batch > maxBatch ? point with { SkipReason = $"end-to-end batch {batch} (K = {2 * batch - 2}) is over the largest batch run, {maxBatch}" } : point;
    }
}
