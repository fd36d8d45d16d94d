using System.Diagnostics;
using System.Globalization;
using MoCo.Training.Models;
using MoCo.Training.Tensors;

namespace MoCo.Training.Bench;

/// <summary>The narrow ResNet-18's convolutions and BatchNorms at batch 256, one at a time, forward and backward, timed
/// in libtorch through TorchSharp (op_profile.py times the same in PyTorch): which kernels make a step slower.</summary>
internal static class OpProfile
{
    /// <summary>(in, out, kernel, stride, side) of each distinct convolution of the width-16 small-image ResNet-18, and how
    /// many times a forward runs it.</summary>
    internal static readonly (int cin, int cout, int k, int s, int side, int count)[] Convolutions =
    [
        (1, 16, 3, 1, 28, 1), (16, 16, 3, 1, 28, 4),
        (16, 32, 3, 2, 28, 1), (32, 32, 3, 1, 14, 3), (16, 32, 1, 2, 28, 1),
        (32, 64, 3, 2, 14, 1), (64, 64, 3, 1, 7, 3), (32, 64, 1, 2, 14, 1),
        (64, 128, 3, 2, 7, 1), (128, 128, 3, 1, 4, 3), (64, 128, 1, 2, 7, 1),
    ];

    internal static void Run(int repeats, int batch, bool channelsLast)
    {
        Console.WriteLine(FormattableString.Invariant($"C# TorchSharp (libtorch {__version__}), {get_num_threads()} threads, batch {batch}, {(channelsLast ? "channels-last" : "NCHW")}; median of {repeats}, ms"));
        Console.WriteLine("  op                                   forward  backward   ×count");
        double fwdTotal = 0, bwdTotal = 0;
        foreach (var (cin, cout, k, s, side, count) in Convolutions)
        {
            using var scope = NewDisposeScope();
            var x = randn(batch, cin, side, side);
            var w = (randn(cout, cin, k, k) * 0.1);
            if (channelsLast) { x = x.ToChannelsLast(); w = w.ToChannelsLast(); }
            x.requires_grad = true;
            w.requires_grad = true;
            var (f, b) = Time(repeats, () => nn.functional.conv2d(x, w, null, [s, s], [k / 2, k / 2]), [x, w]);
            fwdTotal += f * count;
            bwdTotal += b * count;
            Console.WriteLine(FormattableString.Invariant($"  conv {cin,3}->{cout,-3} {k}x{k} s{s} {side,2}x{side,-2}         {f,8:F2} {b,9:F2}   ×{count}"));
        }
        foreach (var (c, side, count) in new[] { (16, 28, 5), (32, 14, 5), (64, 7, 5), (128, 4, 5) })
        {
            using var scope = NewDisposeScope();
            var x = randn(batch, c, side, side);
            if (channelsLast) x = x.ToChannelsLast();
            x.requires_grad = true;
            var g = ones(c, requires_grad: true);
            var bias = zeros(c, requires_grad: true);
            var rm = zeros(c);
            var rv = ones(c);
            var (f, b) = Time(repeats, () => nn.functional.batch_norm(x, rm, rv, g, bias, true, 0.1, 1e-5), [x, g, bias]);
            fwdTotal += f * count;
            bwdTotal += b * count;
            Console.WriteLine(FormattableString.Invariant($"  batch_norm {c,3} {side,2}x{side,-2}                {f,8:F2} {b,9:F2}   ×{count}"));
            var (rf, rb) = Time(repeats, () => nn.functional.relu(x), [x]);
            fwdTotal += rf * count;
            bwdTotal += rb * count;
            Console.WriteLine(FormattableString.Invariant($"  relu {c,3} {side,2}x{side,-2}                      {rf,8:F2} {rb,9:F2}   ×{count}"));
        }
        Console.WriteLine(FormattableString.Invariant($"  total (× count: one forward + backward)   {fwdTotal,8:F1} {bwdTotal,9:F1}"));
    }

    internal static (double forward, double backward) Time(int repeats, Func<Tensor> op, Tensor[] inputs)
    {
        var forward = new double[repeats];
        var backward = new double[repeats];
        for (int r = -2; r < repeats; r++)
        {
            using var scope = NewDisposeScope();
            foreach (var t in inputs) t.grad = null;
            var clock = Stopwatch.StartNew();
            var y = op();
            double f = clock.Elapsed.TotalMilliseconds;
            var gradient = ones_like(y);
            clock.Restart();
            y.backward([gradient]);
            double b = clock.Elapsed.TotalMilliseconds;
            if (r >= 0) { forward[r] = f; backward[r] = b; }
        }
        Array.Sort(forward);
        Array.Sort(backward);
        return (forward[repeats / 2], backward[repeats / 2]);
    }
}

/// <summary>Split BatchNorm (8 sub-batches) on the narrow ResNet-18's largest activation, forward and backward, in each
/// layout: what split BN costs beside plain BatchNorm.</summary>
internal static class SplitBatchNormProfile
{
    internal static void Run(int repeats)
    {
        Console.WriteLine(FormattableString.Invariant($"split BN, batch 256, {get_num_threads()} threads; median of {repeats}, ms"));
        foreach (var (c, side) in new[] { (16, 28), (32, 14), (64, 7) })
        {
            foreach (bool channelsLast in new[] { false, true })
            {
                foreach (int splits in new[] { 1, 8 })
                {
                    using var scope = NewDisposeScope();
                    using var bn = new SplitBatchNorm2d(c, splits);
                    bn.train();
                    var x = randn(256, c, side, side);
                    if (channelsLast) x = x.ToChannelsLast();
                    x.requires_grad = true;
                    var (f, b) = OpProfile.Time(repeats, () => bn.forward(x), [x, bn.weight, bn.bias]);
                    Console.WriteLine(FormattableString.Invariant($"  C {c,3} {side,2}x{side,-2} {(channelsLast ? "channels-last" : "NCHW"),-13} splits {splits}   {f,7:F2} {b,8:F2}"));
                }
            }
        }
    }

    /// <summary>The four split-BN kernels alone on the largest activation (256×16×28×28, 8 splits), median of 15.</summary>
    internal static unsafe void Kernels(int threads)
    {
        const int n = 256, c = 16, pixels = 784, splits = 8, length = n * pixels * c;
        float* px = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(length * sizeof(float), 64);
        float* pg = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(length * sizeof(float), 64);
        float* py = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(length * sizeof(float), 64);
        try
        {
            for (int i = 0; i < length; i++)
            {
                px[i] = i % 7;
                pg[i] = i % 5;
            }
            var (mean, variance, sumDy, sumDyCentred) = (new double[splits * c], new double[splits * c], new double[splits * c], new double[splits * c]);
            var (scale, shift, centre) = (new float[splits * c], new float[splits * c], new float[splits * c]);
            foreach (var (name, work) in new (string, Action)[]
            {
                ("statistics", () => SplitBatchNormKernels.Statistics(px, n, pixels, c, splits, threads, mean, variance)),
                ("affine", () => SplitBatchNormKernels.Affine(px, py, n, pixels, c, splits, threads, scale, shift)),
                ("gradient sums", () => SplitBatchNormKernels.GradientSums(px, pg, n, pixels, c, splits, threads, centre, sumDy, sumDyCentred)),
                ("input gradient", () => SplitBatchNormKernels.InputGradient(px, pg, py, n, pixels, c, splits, threads, scale, shift, centre)),
            })
            {
                var times = new double[15];
                for (int r = -3; r < times.Length; r++)
                {
                    var clock = Stopwatch.StartNew();
                    work();
                    if (r >= 0) times[r] = clock.Elapsed.TotalMilliseconds;
                }
                Array.Sort(times);
                Console.WriteLine(FormattableString.Invariant($"  {name,-16} {times[times.Length / 2],7:F2} ms"));
            }
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(px);
            System.Runtime.InteropServices.NativeMemory.AlignedFree(pg);
            System.Runtime.InteropServices.NativeMemory.AlignedFree(py);
        }
    }
}
