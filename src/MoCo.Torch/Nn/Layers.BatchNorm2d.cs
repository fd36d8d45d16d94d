using static MoCo.Torch.torch.nn;

namespace MoCo.Torch.Modules;

/// <summary>
/// Batch normalisation over NCHW input, as torch.nn.BatchNorm2d: parameters "weight" and "bias", buffers
/// "running_mean", "running_var" and "num_batches_tracked" (the names torchvision's checkpoints use).
/// </summary>
public sealed class BatchNorm2d : Module<Tensor, Tensor>
{
    internal BatchNorm2d(long features, double eps, double momentum, bool affine, bool trackRunningStats)
    {
        if (features <= 0) throw new ArgumentException($"invalid BatchNorm2d({features})");
        Eps = eps;
        Momentum = momentum;
        using (torch.NewDisposeScope())
        {
            if (affine)
            {
                weight = new Parameter(torch.ones([features]));
                bias = new Parameter(torch.zeros([features]));
            }
            if (trackRunningStats)
            {
                running_mean = torch.zeros([features]).DetachFromDisposeScope();
                running_var = torch.ones([features]).DetachFromDisposeScope();
                num_batches_tracked = torch.zeros([], ScalarType.Int64).DetachFromDisposeScope();
            }
        }
        register_parameter("weight", weight);
        register_parameter("bias", bias);
        if (running_mean is not null)
        {
            register_buffer("running_mean", running_mean);
            register_buffer("running_var", running_var!);
            register_buffer("num_batches_tracked", num_batches_tracked!);
        }
    }

    /// <summary>Scale γ, or null without affine.</summary>
    public Parameter? weight { get; }
    /// <summary>Shift β, or null without affine.</summary>
    public Parameter? bias { get; }
    /// <summary>Running mean, or null without tracked statistics.</summary>
    public Tensor? running_mean { get; }
    /// <summary>Running (unbiased) variance, or null without tracked statistics.</summary>
    public Tensor? running_var { get; }
    /// <summary>Training batches seen (Int64 scalar), or null without tracked statistics.</summary>
    public Tensor? num_batches_tracked { get; }
    /// <summary>Added to the variance (default 1e-5).</summary>
    public double Eps { get; }
    /// <summary>Running-statistics momentum (default 0.1).</summary>
    public double Momentum { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4) throw new ArgumentException($"BatchNorm2d expects NCHW input, got shape [{string.Join(", ", input.shape)}]", nameof(input));
        if (training && num_batches_tracked is not null)
        {
            using (torch.no_grad()) num_batches_tracked.add_(1);
        }
        bool useBatchStats = training || running_mean is null;
        return functional.batch_norm(input, running_mean, running_var, weight, bias, useBatchStats, Momentum, Eps);
    }
}
