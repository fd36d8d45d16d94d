namespace MoCo.Training.Optim;

/// <summary>
/// A learning rate as a pure function of progress t (a step or an epoch: the caller chooses the unit), so a resumed
/// run recomputes it from its position alone. Each closed form equals the PyTorch scheduler named in its doc.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate at progress <paramref name="t"/> (0 = start).</summary>
    public abstract double At(long t);

    /// <summary>Sets the optimiser's learning rate for progress <paramref name="t"/> and returns it.</summary>
    public double Apply(SGD optimizer, long t)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return optimizer.LearningRate = At(t);
    }
}

/// <summary>A constant rate.</summary>
public sealed class ConstantSchedule(double baseLr) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double At(long t) => baseLr;
}

/// <summary>
/// Cosine annealing from baseLr to minLr over <c>total</c> (torch.optim.lr_scheduler.CosineAnnealingLR with
/// T_max = total, eta_min = minLr; MoCo v2's schedule): lr = minLr + (baseLr − minLr)·(1 + cos(π·t/total))/2, held at
/// minLr after the end.
/// </summary>
public sealed class CosineSchedule : LearningRateSchedule
{
    private readonly double baseLr, minLr;
    private readonly long total;

    /// <summary>Creates the schedule; <paramref name="total"/> must be positive.</summary>
    public CosineSchedule(double baseLr, long total, double minLr = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(total);
        (this.baseLr, this.total, this.minLr) = (baseLr, total, minLr);
    }

    /// <inheritdoc/>
    public override double At(long t) => minLr + (baseLr - minLr) * (1 + Math.Cos(Math.PI * Math.Min(t, total) / total)) / 2;
}

/// <summary>
/// Multiplies by gamma at each milestone (torch.optim.lr_scheduler.MultiStepLR; MoCo v1: ×0.1 at epochs 120 and 160):
/// lr = baseLr·gamma^(number of milestones ≤ t).
/// </summary>
public sealed class MultiStepSchedule(double baseLr, IReadOnlyList<long> milestones, double gamma = 0.1) : LearningRateSchedule
{
    private readonly long[] milestones = [.. milestones.OrderBy(m => m)];

    /// <inheritdoc/>
    public override double At(long t) => baseLr * Math.Pow(gamma, milestones.Count(m => m <= t));
}

/// <summary>Multiplies by gamma every <paramref name="stepSize"/> (torch.optim.lr_scheduler.StepLR): lr = baseLr·gamma^⌊t/stepSize⌋.</summary>
public sealed class StepSchedule(double baseLr, long stepSize, double gamma = 0.1) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double At(long t) => baseLr * Math.Pow(gamma, t / stepSize);
}

/// <summary>
/// Linear warm-up in front of another schedule: the factor rises from <paramref name="startFactor"/> to 1 over
/// <paramref name="warmup"/> (torch.optim.lr_scheduler.LinearLR with end_factor 1, total_iters = warmup), multiplying the
/// inner schedule, which keeps counting from t = 0.
/// </summary>
public sealed class WarmupSchedule(LearningRateSchedule inner, long warmup, double startFactor = 1.0 / 3) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double At(long t)
    {
        double factor = warmup <= 0 || t >= warmup ? 1 : startFactor + (1 - startFactor) * t / warmup;
        return factor * inner.At(t);
    }
}
