using TorchSharp;
using static TorchSharp.torch;

namespace MoCo.Training.Models;

/// <summary>
/// Split BatchNorm's training forward on channels-last (NHWC) CPU float memory, without layout copies: an autograd
/// function over <see cref="SplitBatchNormKernels"/>, whose backward is BatchNorm's closed form per (sub-batch, channel).
/// Inputs: x (N×C×H×W, channels-last), weight, bias; data: splits, eps, and a <see cref="BatchStatistics"/> that receives
/// the batch's per-(sub-batch, channel) mean and biased variance for the running statistics.
/// </summary>
internal sealed unsafe class ChannelsLastSplitBatchNorm : autograd.SingleTensorFunction<ChannelsLastSplitBatchNorm>
{
    /// <summary>What a forward measured: S × C row-major.</summary>
    internal sealed class BatchStatistics
    {
        /// <summary>Mean per (sub-batch, channel).</summary>
        internal double[] Mean { get; set; } = [];
        /// <summary>Biased variance per (sub-batch, channel).</summary>
        internal double[] Variance { get; set; } = [];
    }

    [ThreadStatic] private static List<Tensor>? returned;

    /// <summary>Frees this thread's handles to the gradients the last backward returned (libtorch holds its own).</summary>
    private static void ReleaseReturnedGradients()
    {
        if (returned is null) return;
        foreach (Tensor t in returned) t.Dispose();
        returned.Clear();
    }

    /// <inheritdoc/>
    public override string Name => nameof(ChannelsLastSplitBatchNorm);

    // Forwards since the last collection, in any thread: a step that ran none has no nodes to collect.
    private static long nodesSinceCollection;

    /// <summary>
    /// Frees the graph nodes of finished backward passes. TorchSharp 0.107 keeps each node of a custom function (with its
    /// saved input and an empty tensor the size of its output) until the garbage collector finalises it, and nothing
    /// prompts a collection: over 40 steps of the Fashion-MNIST benchmark resident memory rose to 2.3 GB, against
    /// 1.0 GB with a collection after each step, which costs a few milliseconds of a ~1 s step. Call between steps
    /// (<see cref="Method.ContrastiveModel.AfterStep"/> does).
    /// </summary>
    internal static void CollectFinishedNodes()
    {
        Interlocked.Exchange(ref nodesSinceCollection, 0);
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    /// <summary><see cref="CollectFinishedNodes"/> when this function ran since the last collection; otherwise nothing
    /// (no node of it is waiting, and a collection would only cost time).</summary>
    internal static void CollectFinishedNodesIfAny()
    {
        if (Interlocked.Read(ref nodesSinceCollection) > 0) CollectFinishedNodes();
    }

    /// <summary>Whether <paramref name="x"/> and the affine parameters can take this path: CPU float32, channels-last
    /// input whose bytes a span can address, contiguous parameters.</summary>
    internal static bool Supports(Tensor x, Tensor weight, Tensor bias) =>
        x.device_type == DeviceType.CPU && x.dtype == ScalarType.Float32 && x.IsChannelsLast() && x.numel() * sizeof(float) <= int.MaxValue
        && weight.device_type == DeviceType.CPU && weight.dtype == ScalarType.Float32 && weight.is_contiguous()
        && bias.device_type == DeviceType.CPU && bias.dtype == ScalarType.Float32 && bias.is_contiguous();

    /// <summary>y = (x − mean[s, c]) / √(var[s, c] + eps) · weight[c] + bias[c], statistics per sub-batch s (samples n
    /// ≡ s mod S) and channel c, written to <paramref name="statistics"/>.</summary>
    internal static Tensor Apply(Tensor x, Tensor weight, Tensor bias, int splits, double eps, BatchStatistics statistics)
    {
        Interlocked.Increment(ref nodesSinceCollection);
        return apply(x, weight, bias, splits, eps, statistics);
    }

    /// <inheritdoc/>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        var weight = (Tensor)vars[1];
        var bias = (Tensor)vars[2];
        int splits = (int)vars[3];
        double eps = (double)vars[4];
        var statistics = (BatchStatistics)vars[5];
        var (n, c, pixels) = ((int)x.size(0), (int)x.size(1), (int)(x.size(2) * x.size(3)));
        int threads = get_num_threads();
        var mean = new double[splits * c];
        var variance = new double[splits * c];
        using (Tensor xNhwc = x.permute(0, 2, 3, 1))
        fixed (byte* px = xNhwc.bytes)
            SplitBatchNormKernels.Statistics((float*)px, n, pixels, c, splits, threads, mean, variance);
        float[] w = weight.ToArray<float>(), b = bias.ToArray<float>();
        var invstd = new double[splits * c];
        var scale = new float[splits * c];
        var shift = new float[splits * c];
        var meanFloat = new float[splits * c];
        for (int j = 0; j < scale.Length; j++)
        {
            invstd[j] = 1 / Math.Sqrt(variance[j] + eps);
            double a = invstd[j] * w[j % c];
            scale[j] = (float)a;
            shift[j] = (float)(b[j % c] - mean[j] * a);
            meanFloat[j] = (float)mean[j];
        }
        Tensor y = empty_like(x);   // preserves the channels-last layout
        using (Tensor xNhwc = x.permute(0, 2, 3, 1))
        using (Tensor yNhwc = y.permute(0, 2, 3, 1))
        fixed (byte* px = xNhwc.bytes, py = yNhwc.bytes)
            SplitBatchNormKernels.Affine((float*)px, (float*)py, n, pixels, c, splits, threads, scale, shift);
        ctx.save_for_backward([x]);
        ctx.save_data("splits", splits);
        ctx.save_data("mean", meanFloat);
        ctx.save_data("invstd", invstd);
        ctx.save_data("weight", w);
        statistics.Mean = mean;
        statistics.Variance = variance;
        return y;
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        // Tensor handles made during a backward land in the dispose scope that called backward() (the training step's),
        // which would hold every layer's saved input, upstream gradient and input gradient until the step ends: about
        // three more copies of the activations. So this frees its own: the saved input and the upstream gradient here
        // (TorchSharp hands each backward its own handles), and the gradients it returned last time, which libtorch has
        // taken its references to by now.
        ReleaseReturnedGradients();
        using Tensor x = ctx.get_saved_variables()[0];
        using Tensor upstream = grad_output;
        int splits = (int)ctx.get_data("splits");
        var mean = (float[])ctx.get_data("mean");
        var invstd = (double[])ctx.get_data("invstd");
        var w = (float[])ctx.get_data("weight");
        var (n, c, pixels) = ((int)x.size(0), (int)x.size(1), (int)(x.size(2) * x.size(3)));
        int threads = get_num_threads();
        using Tensor gradient = grad_output.IsChannelsLast() ? grad_output.alias() : grad_output.ToChannelsLast();
        var sumDy = new double[splits * c];
        var sumDyCentred = new double[splits * c];
        using (Tensor xNhwc = x.permute(0, 2, 3, 1))
        using (Tensor gNhwc = gradient.permute(0, 2, 3, 1))
        fixed (byte* px = xNhwc.bytes, pg = gNhwc.bytes)
            SplitBatchNormKernels.GradientSums((float*)px, (float*)pg, n, pixels, c, splits, threads, mean, sumDy, sumDyCentred);
        // dx = a·(dy − Σdy/m − x̂·Σdy·x̂/m) with a = invstd·w, x̂ = (x − mean)·invstd: dx = a·dy + p·x + q.
        double count = (double)(n / splits) * pixels;
        var a = new float[splits * c];
        var p = new float[splits * c];
        var q = new float[splits * c];
        var gradWeight = new float[c];
        var gradBias = new float[c];
        for (int j = 0; j < a.Length; j++)
        {
            double sumDyXhat = sumDyCentred[j] * invstd[j];
            double scale = invstd[j] * w[j % c];
            double pj = -scale * invstd[j] * sumDyXhat / count;
            a[j] = (float)scale;
            p[j] = (float)pj;
            q[j] = (float)(-scale * sumDy[j] / count - pj * mean[j]);
            gradWeight[j % c] += (float)sumDyXhat;
            gradBias[j % c] += (float)sumDy[j];
        }
        Tensor dx = empty_like(x);
        using (Tensor xNhwc = x.permute(0, 2, 3, 1))
        using (Tensor gNhwc = gradient.permute(0, 2, 3, 1))
        using (Tensor dNhwc = dx.permute(0, 2, 3, 1))
        fixed (byte* px = xNhwc.bytes, pg = gNhwc.bytes, pd = dNhwc.bytes)
            SplitBatchNormKernels.InputGradient((float*)px, (float*)pg, (float*)pd, n, pixels, c, splits, threads, a, p, q);
        Tensor gradWeightTensor = tensor(gradWeight), gradBiasTensor = tensor(gradBias);
        returned ??= [];
        returned.AddRange([dx, gradWeightTensor, gradBiasTensor]);
        return [dx, gradWeightTensor, gradBiasTensor, null!, null!, null!];   // none for splits, eps, statistics
    }
}
