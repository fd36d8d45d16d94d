using TorchSharp;
using static TorchSharp.torch.nn;

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
    // The component names are the registered ones. Without them TorchSharp's RegisterComponents (run when a parent
    // registers this module) also registers each field under its own name, an alias of the same tensor that
    // named_parameters hides until Module.to replaces the registered tensor and leaves the alias behind: the moved
    // network's state then had extra, stale entries (bn1.weightParameter), found on the H200 (docs/gpu.md).
    [TorchSharp.Utils.ComponentName(Name = "weight")] private Parameter weightParameter;
    [TorchSharp.Utils.ComponentName(Name = "bias")] private Parameter biasParameter;
    [TorchSharp.Utils.ComponentName(Name = "running_mean")] private Tensor runningMean;
    [TorchSharp.Utils.ComponentName(Name = "running_var")] private Tensor runningVar;
    [TorchSharp.Utils.ComponentName(Name = "num_batches_tracked")] private Tensor batchesTracked;

    internal SplitBatchNorm2d(long features, int splits, double eps = 1e-5, double momentum = 0.1) : base(nameof(SplitBatchNorm2d))
    {
        if (splits <= 0) throw new ArgumentOutOfRangeException(nameof(splits), splits, "splits must be positive");
        this.features = features;
        Splits = splits;
        Eps = eps;
        Momentum = momentum;
        using (torch.NewDisposeScope())
        {
            weightParameter = new Parameter(torch.ones([features]).DetachFromDisposeScope());
            biasParameter = new Parameter(torch.zeros([features]).DetachFromDisposeScope());
            runningMean = torch.zeros([features]).DetachFromDisposeScope();
            runningVar = torch.ones([features]).DetachFromDisposeScope();
            batchesTracked = torch.zeros([], ScalarType.Int64).DetachFromDisposeScope();
        }
        register_parameter("weight", weightParameter);
        register_parameter("bias", biasParameter);
        register_buffer("running_mean", runningMean);
        register_buffer("running_var", runningVar);
        register_buffer("num_batches_tracked", batchesTracked);
    }

    // TorchSharp's Module.to replaces a parameter or buffer through the public property of its name: the setters
    // register the moved tensor under the same name.
    /// <summary>Sub-batches in training.</summary>
    public int Splits { get; }
    /// <summary>Added to the variance.</summary>
    public double Eps { get; }
    /// <summary>Running-statistics momentum.</summary>
    public double Momentum { get; }
    /// <summary>Scale γ.</summary>
    public Parameter weight { get => weightParameter; private set { weightParameter = value; ConditionallyRegisterParameter("weight", value); } }
    /// <summary>Shift β.</summary>
    public Parameter bias { get => biasParameter; private set { biasParameter = value; ConditionallyRegisterParameter("bias", value); } }
    /// <summary>Running mean.</summary>
    public Tensor running_mean { get => runningMean; private set { runningMean = value; ConditionallyRegisterBuffer("running_mean", value); } }
    /// <summary>Running variance.</summary>
    public Tensor running_var { get => runningVar; private set { runningVar = value; ConditionallyRegisterBuffer("running_var", value); } }
    /// <summary>Training batches seen.</summary>
    public Tensor num_batches_tracked { get => batchesTracked; private set { batchesTracked = value; ConditionallyRegisterBuffer("num_batches_tracked", value); } }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        long[] s = input.shape;
        if (s.Length != 4 || s[1] != features)
            throw new ArgumentException($"SplitBatchNorm2d({features}) expects N×{features}×H×W input, got [{string.Join(", ", s)}]", nameof(input));
        if (!training) return functional.batch_norm(input, running_mean, running_var, weight, bias, false, Momentum, Eps);
        if (s[0] % Splits != 0) throw new ArgumentException($"batch size {s[0]} is not divisible by {Splits} BN splits", nameof(input));
        using (torch.no_grad()) num_batches_tracked.add_(1);
        if (Splits == 1) return functional.batch_norm(input, running_mean, running_var, weight, bias, true, Momentum, Eps);
        if (!(input.IsChannelsLast() && !input.is_contiguous())) return SplitByRegrouping(input);
        return SplitChannelsLast(input);
    }

    /// <summary>Channels-last memory cannot be regrouped by a view. On the CPU, <see cref="ChannelsLastSplitBatchNorm"/>
    /// works on the memory as it is; elsewhere, a copy to NCHW goes through libtorch's kernel and back. Running statistics
    /// as the regrouped kernel updates them: the mean over sub-batches of each one's update.</summary>
    private Tensor SplitChannelsLast(Tensor input)
    {
        if (!ChannelsLastSplitBatchNorm.Supports(input, weight, bias))
        {
            using var nchw = input.contiguous();
            using var regrouped = SplitByRegrouping(nchw);
            return regrouped.ToChannelsLast();
        }
        var statistics = new ChannelsLastSplitBatchNorm.BatchStatistics();
        Tensor output = ChannelsLastSplitBatchNorm.Apply(input, weight, bias, Splits, Eps, statistics);
        using (torch.no_grad())
        {
            double count = (double)(input.size(0) / Splits) * input.size(2) * input.size(3);
            var batchMean = new float[features];
            var batchVar = new float[features];
            for (int j = 0; j < statistics.Mean.Length; j++)
            {
                batchMean[j % features] += (float)(statistics.Mean[j] / Splits);
                batchVar[j % features] += (float)(statistics.Variance[j] * count / Math.Max(count - 1, 1) / Splits);
            }
            using Tensor meanTensor = torch.tensor(batchMean).to(running_mean.device);
            using Tensor varTensor = torch.tensor(batchVar).to(running_var.device);
            running_mean.mul_(1 - Momentum).add_(meanTensor, Momentum);
            running_var.mul_(1 - Momentum).add_(varTensor, Momentum);
        }
        return output;
    }

    /// <summary>NCHW memory: MoCo's CIFAR demo's view (N, C, H, W) → (N/S, S·C, H, W), where sub-batch s holds samples
    /// n ≡ s (mod S) as channels s·C … (s+1)·C − 1, normalised by libtorch's BatchNorm kernel.</summary>
    private Tensor SplitByRegrouping(Tensor input)
    {
        long[] s = input.shape;
        using var scope = torch.NewDisposeScope();
        var meanSplit = running_mean.repeat(Splits);
        var varSplit = running_var.repeat(Splits);
        var grouped = input.reshape(-1, features * Splits, s[2], s[3]);
        var output = functional.batch_norm(grouped, meanSplit, varSplit, weight.repeat(Splits), bias.repeat(Splits), true, Momentum, Eps)
            .view(s);
        using (torch.no_grad())
        {
            running_mean.copy_(meanSplit.view(Splits, features).mean([0]));
            running_var.copy_(varSplit.view(Splits, features).mean([0]));
        }
        return output.MoveToOuterDisposeScope();
    }
}
