using TorchSharp;
using static TorchSharp.torch;

namespace MoCo.Training.Data;

/// <summary>
/// The MoCo augmentations computed batched in libtorch (on the training device), for images held in memory:
/// RandomResizedCrop (torchvision's sampling: 10 tries, then the central crop) with horizontal flip, as one
/// affine grid_sample; ColorJitter (brightness, contrast, saturation; the order shuffled per image; applied with
/// probability <see cref="JitterProbability"/>); RandomGrayscale; Normalize. Parameters are drawn from a
/// <see cref="SplitMix64"/> stream, so a batch's views are a pure function of (seed, epoch, batch, view).
/// Hue jitter and blur are not done here (gray data has no hue; the CIFAR recipe has no blur).
/// </summary>
public sealed record BatchedAugmentation
{
    /// <summary>Output side (default 28, Fashion-MNIST).</summary>
    public int Size { get; init; } = 28;
    /// <summary>Crop area fraction range (default 0.2–1, MoCo's).</summary>
    public (double Min, double Max) Scale { get; init; } = (0.2, 1.0);
    /// <summary>Crop aspect-ratio range (default 3/4–4/3).</summary>
    public (double Min, double Max) Ratio { get; init; } = (3.0 / 4, 4.0 / 3);
    /// <summary>Brightness jitter strength (factor in [1 − b, 1 + b]; default 0.4).</summary>
    public double Brightness { get; init; } = 0.4;
    /// <summary>Contrast jitter strength (default 0.4).</summary>
    public double Contrast { get; init; } = 0.4;
    /// <summary>Saturation jitter strength (default 0.4; no effect on gray images).</summary>
    public double Saturation { get; init; } = 0.4;
    /// <summary>Probability of applying the colour jitter (v2: 0.8, v1: 1).</summary>
    public double JitterProbability { get; init; } = 0.8;
    /// <summary>Probability of converting to grayscale (default 0.2; no effect on gray images).</summary>
    public double GrayscaleProbability { get; init; } = 0.2;
    /// <summary>Probability of a horizontal flip (default 0.5).</summary>
    public double FlipProbability { get; init; } = 0.5;
    /// <summary>Per-channel mean, 0–1 scale (default Fashion-MNIST's 0.2860).</summary>
    public double[] Mean { get; init; } = [0.2860];
    /// <summary>Per-channel standard deviation, 0–1 scale (default Fashion-MNIST's 0.3530).</summary>
    public double[] Std { get; init; } = [0.3530];

    /// <summary>torchvision's RandomResizedCrop.get_params: (top, left, height, width) of the crop.</summary>
    internal (int top, int left, int height, int width) SampleCrop(ref SplitMix64 rng, int imageHeight, int imageWidth)
    {
        double area = (double)imageHeight * imageWidth;
        double logLo = Math.Log(Ratio.Min), logHi = Math.Log(Ratio.Max);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * rng.Uniform(Scale.Min, Scale.Max);
            double aspect = Math.Exp(rng.Uniform(logLo, logHi));
            int w = (int)Math.Round(Math.Sqrt(target * aspect), MidpointRounding.ToEven);
            int h = (int)Math.Round(Math.Sqrt(target / aspect), MidpointRounding.ToEven);
            if (w > 0 && w <= imageWidth && h > 0 && h <= imageHeight)
                return (rng.NextInt(imageHeight - h + 1), rng.NextInt(imageWidth - w + 1), h, w);
        }
        double inRatio = (double)imageWidth / imageHeight;
        int cw, ch;
        if (inRatio < Ratio.Min) { cw = imageWidth; ch = (int)Math.Round(cw / Ratio.Min, MidpointRounding.ToEven); }
        else if (inRatio > Ratio.Max) { ch = imageHeight; cw = (int)Math.Round(ch * Ratio.Max, MidpointRounding.ToEven); }
        else { cw = imageWidth; ch = imageHeight; }
        return ((imageHeight - ch) / 2, (imageWidth - cw) / 2, ch, cw);
    }

    /// <summary>The random parameters of one view of each of n images (drawn before any pixel is touched, so tests
    /// can hand the same parameters to torchvision).</summary>
    internal sealed class ViewParameters(int n)
    {
        internal float[] Theta { get; } = new float[n * 6];      // n × 2 × 3 affine maps: output → input, normalised
        internal float[] Brightness { get; } = new float[n];
        internal float[] Contrast { get; } = new float[n];
        internal float[] Saturation { get; } = new float[n];
        internal long[] Order { get; } = new long[n * 3];          // per image, a permutation of 0 (b), 1 (c), 2 (s)
        internal bool[] Gray { get; } = new bool[n];
        internal int Count => Gray.Length;

        /// <summary>Sets image i's crop box (top, left, height, width) in an H×W image, and its flip.</summary>
        internal void SetCrop(int i, int top, int left, int cropHeight, int cropWidth, bool flip, int height, int width)
        {
            // Output [-1, 1] → the crop box in the input's normalised coordinates (align_corners = false): output pixel x
            // samples input x' = left + (x + 0.5)·cw/S − 0.5, as interpolate on the cropped image does.
            Theta[i * 6 + 0] = (float)((double)cropWidth / width * (flip ? -1 : 1));
            Theta[i * 6 + 1] = 0;
            Theta[i * 6 + 2] = (float)((2.0 * left + cropWidth) / width - 1);
            Theta[i * 6 + 3] = 0;
            Theta[i * 6 + 4] = (float)((double)cropHeight / height);
            Theta[i * 6 + 5] = (float)((2.0 * top + cropHeight) / height - 1);
        }
    }

    /// <summary>Draws the parameters of one view of n images of h×w.</summary>
    internal ViewParameters Sample(int n, int h, int w, ref SplitMix64 rng)
    {
        var p = new ViewParameters(n);
        for (int i = 0; i < n; i++)
        {
            var (top, left, ch, cw) = SampleCrop(ref rng, h, w);
            bool flip = rng.NextDouble() < FlipProbability;
            p.SetCrop(i, top, left, ch, cw, flip, h, w);
            bool jitter = rng.NextDouble() < JitterProbability;
            p.Brightness[i] = jitter ? (float)rng.Uniform(1 - Brightness, 1 + Brightness) : 1;
            p.Contrast[i] = jitter ? (float)rng.Uniform(1 - Contrast, 1 + Contrast) : 1;
            p.Saturation[i] = jitter ? (float)rng.Uniform(1 - Saturation, 1 + Saturation) : 1;
            int[] perm = rng.Permutation(3);
            for (int k = 0; k < 3; k++) p.Order[i * 3 + k] = perm[k];
            p.Gray[i] = rng.NextDouble() < GrayscaleProbability;
        }
        return p;
    }

    /// <summary>One augmented view of each image: uint8 N×C×H×W in, float N×C×Size×Size out (normalised).</summary>
    internal Tensor Apply(Tensor images, ref SplitMix64 rng)
    {
        ArgumentNullException.ThrowIfNull(images);
        return Apply(images, Sample((int)images.size(0), (int)images.size(2), (int)images.size(3), ref rng));
    }

    /// <summary>Applies drawn parameters: crop and flip (one grid_sample), the colour jitter in each image's order
    /// (torchvision's blends, clamped to [0, 1] after each), grayscale, normalisation.</summary>
    internal Tensor Apply(Tensor images, ViewParameters p)
    {
        ArgumentNullException.ThrowIfNull(images);
        long[] s = images.shape;
        int n = (int)s[0], c = (int)s[1];
        if (p.Count != n) throw new ArgumentException($"parameters for {p.Count} images, {n} given");
        if (Mean.Length != c || Std.Length != c) throw new ArgumentException($"mean/std have {Mean.Length}/{Std.Length} values for {c} channels");
        using var scope = NewDisposeScope();
        Device device = images.device;
        var x = images.to(ScalarType.Float32).div_(255);
        var grid = nn.functional.affine_grid(tensor(p.Theta, [n, 2, 3]).to(device), [n, c, Size, Size], align_corners: false);
        x = nn.functional.grid_sample(x, grid, padding_mode: GridSamplePaddingMode.Border, align_corners: false);
        var b = tensor(p.Brightness, [n, 1, 1, 1]).to(device);
        var k = tensor(p.Contrast, [n, 1, 1, 1]).to(device);
        var sat = tensor(p.Saturation, [n, 1, 1, 1]).to(device);
        var order = tensor(p.Order, [n, 3]).to(device);
        for (int slot = 0; slot < 3; slot++)
        {
            var which = order.select(1, slot).view(n, 1, 1, 1);
            var xb = (x * b).clamp_(0, 1);
            var xc = (x * k + (1 - k) * Luminance(x).mean([1, 2, 3], keepdim: true)).clamp_(0, 1);
            var xs = c == 1 ? x : (x * sat + (1 - sat) * Luminance(x)).clamp_(0, 1);
            x = where(which.eq(0), xb, where(which.eq(1), xc, xs));
        }
        if (c == 3) x = where(tensor(p.Gray, [n, 1, 1, 1]).to(device), Luminance(x).expand(n, 3, Size, Size), x);
        var mean = tensor(Mean.Select(v => (float)v).ToArray(), [1, c, 1, 1]).to(device);
        var std = tensor(Std.Select(v => (float)v).ToArray(), [1, c, 1, 1]).to(device);
        return ((x - mean) / std).MoveToOuterDisposeScope();
    }

    /// <summary>ITU-R 601-2 luma (PIL's convert('L') weights), N×1×H×W; the image itself when it has one channel.</summary>
    internal static Tensor Luminance(Tensor x)
    {
        if (x.size(1) == 1) return x.alias();
        using var weights = tensor(new float[] { 0.299f, 0.587f, 0.114f }, [1, 3, 1, 1]).to(x.device);
        using var weighted = x * weights;
        return weighted.sum(1, keepdim: true);
    }

    /// <summary>The evaluation view: the whole image resized to Size (if needed) and normalised; no randomness.</summary>
    public Tensor Evaluate(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        int c = (int)images.size(1);
        using var scope = NewDisposeScope();
        var x = images.to(ScalarType.Float32).div_(255);
        if (images.size(2) != Size || images.size(3) != Size) x = nn.functional.interpolate(x, [Size, Size], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true);
        var mean = tensor(Mean.Select(v => (float)v).ToArray(), [1, c, 1, 1]).to(images.device);
        var std = tensor(Std.Select(v => (float)v).ToArray(), [1, c, 1, 1]).to(images.device);
        return ((x - mean) / std).MoveToOuterDisposeScope();
    }
}
