using TorchSharp;
using static TorchSharp.torch;

namespace MoCo.Training.Data;

/// <summary>MoCo v2's Gaussian blur for <see cref="BatchedAugmentation"/>, batched in libtorch with a sigma per image.</summary>
internal static class BatchedGaussianBlur
{
    /// <summary>The largest blur radius: 3 sigma, rounded up.</summary>
    internal static int Radius(double sigma) => (int)Math.Ceiling(3 * sigma);

    /// <summary>
    /// Gaussian blur of each image of <paramref name="x"/> (N×C×H×W float) with its own sigma (0: unchanged): the
    /// normalised kernel exp(−k²/2σ²) over |k| ≤ ⌈3σ⌉ (where the Gaussian has fallen to 1.1% of its peak; Pillow's three
    /// box passes, which MoCo v2 blurs with, reach as far: 3 px at sigma 1, 6 at sigma 2), horizontally then vertically,
    /// the edges extended as Pillow's box blur does. One grouped convolution per direction for the whole batch.
    /// </summary>
    internal static Tensor Apply(Tensor x, float[] sigma)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(sigma);
        long n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        if (sigma.Length != n) throw new ArgumentException($"{sigma.Length} sigmas for {n} images", nameof(sigma));
        int radius = sigma.Max(s => Radius(s));
        if (radius == 0) return x.alias();
        int taps = 2 * radius + 1;
        var weights = new float[n * c * taps];
        for (int i = 0; i < n; i++)
        {
            var kernel = new double[taps];
            if (sigma[i] > 0)
            {
                int own = Radius(sigma[i]);
                for (int k = -own; k <= own; k++) kernel[radius + k] = Math.Exp(-(double)k * k / (2.0 * sigma[i] * sigma[i]));
            }
            else
            {
                kernel[radius] = 1;
            }
            double total = kernel.Sum();
            for (int ch = 0; ch < c; ch++)
                for (int k = 0; k < taps; k++) weights[(i * c + ch) * taps + k] = (float)(kernel[k] / total);
        }
        using var scope = NewDisposeScope();
        var kernels = tensor(weights, [n * c, 1, 1, taps]).to(x.device);
        var rows = nn.functional.pad(x.reshape(1, n * c, h, w), [radius, radius, 0, 0], PaddingModes.Replicate);
        var across = nn.functional.conv2d(rows, kernels, groups: n * c);
        var columns = nn.functional.pad(across, [0, 0, radius, radius], PaddingModes.Replicate);
        var down = nn.functional.conv2d(columns, kernels.view(n * c, 1, taps, 1), groups: n * c);
        return down.view(n, c, h, w).MoveToOuterDisposeScope();
    }
}
