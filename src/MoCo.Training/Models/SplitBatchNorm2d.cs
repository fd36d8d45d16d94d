using MoCo.Torch;
using static MoCo.Torch.torch.nn;

namespace MoCo.Training.Models;

/// <summary>
/// BatchNorm whose training statistics are computed over <c>splits</c> sub-batches separately, as MoCo's single-GPU
/// CIFAR demo does to mimic per-device BN ("shuffle BN" on one device). Sample n belongs to sub-batch n mod splits
/// (the demo's view(-1, C·splits, H, W)); the running statistics are the mean over the sub-batches' updates. In eval
/// it is plain BatchNorm. Parameter and buffer names equal BatchNorm2d's, so state dicts are interchangeable.
/// </summary>
public sealed class SplitBatchNorm2d : Module<Tensor, Tensor>
{
    private readonly long features;

    internal SplitBatchNorm2d(long features, int splits, double eps = 1e-5, double momentum = 0.1)
    {
        if (splits <= 0) throw new ArgumentOutOfRangeException(nameof(splits), splits, "splits must be positive");
        this.features = features;
        Splits = splits;
        Eps = eps;
        Momentum = momentum;
        using (torch.NewDisposeScope())
        {
            weight = new Parameter(torch.ones([features]));
            bias = new Parameter(torch.zeros([features]));
            running_mean = torch.zeros([features]).DetachFromDisposeScope();
            running_var = torch.ones([features]).DetachFromDisposeScope();
            num_batches_tracked = torch.zeros([], ScalarType.Int64).DetachFromDisposeScope();
        }
        register_parameter("weight", weight);
        register_parameter("bias", bias);
        register_buffer("running_mean", running_mean);
        register_buffer("running_var", running_var);
        register_buffer("num_batches_tracked", num_batches_tracked);
    }

    /// <summary>Sub-batches in training.</summary>
    public int Splits { get; }
    /// <summary>Added to the variance.</summary>
    public double Eps { get; }
    /// <summary>Running-statistics momentum.</summary>
    public double Momentum { get; }
    /// <summary>Scale γ.</summary>
    public Parameter weight { get; }
    /// <summary>Shift β.</summary>
    public Parameter bias { get; }
    /// <summary>Running mean.</summary>
    public Tensor running_mean { get; }
    /// <summary>Running variance.</summary>
    public Tensor running_var { get; }
    /// <summary>Training batches seen.</summary>
    public Tensor num_batches_tracked { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        long[] s = input.shape;
        if (s.Length != 4 || s[1] != features)
            throw new ArgumentException($"SplitBatchNorm2d({features}) expects N×{features}×H×W input, got [{string.Join(", ", s)}]", nameof(input));
        if (!training) return functional.batch_norm(input, running_mean, running_var, weight, bias, false, Momentum, Eps);
        if (s[0] % Splits != 0) throw new ArgumentException($"batch size {s[0]} is not divisible by {Splits} BN splits", nameof(input));
        // Channels-last float CPU input: the shim's fused kernel (two passes each way, no regrouping copies).
        Tensor? fused = functional.split_batch_norm_fused(input, weight, bias, running_mean, running_var, Splits, Momentum, Eps);
        if (fused is not null)
        {
            using (torch.no_grad()) num_batches_tracked.add_(1);
            return fused;
        }
        if (Splits == 1)
        {
            using (torch.no_grad()) num_batches_tracked.add_(1);
            return functional.batch_norm(input, running_mean, running_var, weight, bias, true, Momentum, Eps);
        }
        using var scope = torch.NewDisposeScope();
        var meanSplit = running_mean.repeat(Splits);
        var varSplit = running_var.repeat(Splits);
        // (N, C, H, W) → (N/S, S·C, H, W): sub-batch s holds samples n ≡ s (mod S), as channels s·C … (s+1)·C − 1.
        var grouped = input.reshape(-1, features * Splits, s[2], s[3]);
        var output = functional.batch_norm(grouped, meanSplit, varSplit, weight.repeat(Splits), bias.repeat(Splits), true, Momentum, Eps)
            .view(s);
        using (torch.no_grad())
        {
            running_mean.copy_(meanSplit.view(Splits, features).mean(0));
            running_var.copy_(varSplit.view(Splits, features).mean(0));
            num_batches_tracked.add_(1);
        }
        return output.MoveToOuterDisposeScope();
    }
}
