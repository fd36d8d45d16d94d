using TorchSharp;
using MoCo.Imaging.Transforms;
using static TorchSharp.torch;

namespace MoCo.Training.Data;

/// <summary>
/// The MoCo augmentations computed batched in libtorch (on the training device), for images held in memory:
/// RandomResizedCrop (torchvision's sampling: 10 tries, then the central crop) with horizontal flip, as one
/// affine grid_sample; ColorJitter (brightness, contrast, saturation, hue; the order shuffled per image; applied with
/// probability <see cref="JitterProbability"/>); RandomGrayscale (before the jitter, as v1, or after, as v2);
/// Gaussian blur (v2: probability 0.5, sigma uniform in 0.1–2); Normalize. <see cref="From"/> makes it from a preset's
/// recipe (<see cref="MoCoAugmentation"/>, the one the image-file path runs Pillow-exact), so a preset is one recipe on
/// both paths. Parameters are drawn from a <see cref="SplitMix64"/> stream, so a batch's views are a pure function of
/// (seed, epoch, batch, view). The pixels are float throughout (Pillow rounds to 8 bits after each step), the crop is
/// resized bilinearly without antialiasing, and the blur is a true Gaussian where Pillow runs three box passes.
/// On 1-channel images saturation, hue and grayscale change nothing.
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
    /// <summary>Hue jitter strength: a shift uniform in [−h, h] turns, at most 0.5 (default 0; v1: 0.4, v2: 0.1; no
    /// effect on gray images).</summary>
    public double Hue { get; init; }
    /// <summary>Probability of applying the colour jitter (v2: 0.8, v1: 1).</summary>
    public double JitterProbability { get; init; } = 0.8;
    /// <summary>Probability of converting to grayscale (default 0.2; no effect on gray images).</summary>
    public double GrayscaleProbability { get; init; } = 0.2;
    /// <summary>Grayscale before the colour jitter (v1's order) instead of after it (default false, v2's).</summary>
    public bool GrayscaleBeforeJitter { get; init; }
    /// <summary>Probability of a Gaussian blur (default 0; v2: 0.5).</summary>
    public double BlurProbability { get; init; }
    /// <summary>Blur sigma range in pixels, drawn uniformly (default 0.1–2, MoCo v2's).</summary>
    public (double Min, double Max) BlurSigma { get; init; } = (0.1, 2.0);
    /// <summary>Probability of a horizontal flip (default 0.5).</summary>
    public double FlipProbability { get; init; } = 0.5;
    /// <summary>Per-channel mean, 0–1 scale (default Fashion-MNIST's 0.2860).</summary>
    public double[] Mean { get; init; } = [0.2860];
    /// <summary>Per-channel standard deviation, 0–1 scale (default Fashion-MNIST's 0.3530).</summary>
    public double[] Std { get; init; } = [0.3530];
    /// <summary>Steps of the recipe this was made from that it leaves out, as phrases for the run's start-up note
    /// (default none; see <see cref="WithoutBlurAndHue"/>).</summary>
    public IReadOnlyList<string> Omitted { get; init; } = [];

    /// <summary>
    /// The batched form of <paramref name="recipe"/>: its crop scale and ratio, jitter strengths and probability,
    /// grayscale probability and order, blur probability and sigma range, flip probability, mean and std; the output
    /// side is the recipe's crop size.
    /// </summary>
    public static BatchedAugmentation From(MoCoAugmentation recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        // The recipe's float strengths as written (0.4f → 0.4): float → decimal keeps 7 significant digits.
        static double AsWritten(float value) => (double)(decimal)value;
        return new()
        {
            Size = recipe.Crop.Size, Scale = (recipe.Crop.ScaleMin, recipe.Crop.ScaleMax), Ratio = (recipe.Crop.RatioMin, recipe.Crop.RatioMax),
            Brightness = AsWritten(recipe.Jitter.Brightness), Contrast = AsWritten(recipe.Jitter.Contrast),
            Saturation = AsWritten(recipe.Jitter.Saturation), Hue = AsWritten(recipe.Jitter.Hue),
            JitterProbability = recipe.JitterProbability, GrayscaleProbability = recipe.GrayscaleProbability,
            GrayscaleBeforeJitter = recipe.GrayscaleBeforeJitter, BlurProbability = recipe.BlurProbability,
            BlurSigma = (AsWritten(recipe.Blur.SigmaMin), AsWritten(recipe.Blur.SigmaMax)), FlipProbability = recipe.FlipProbability,
            Mean = [.. recipe.Mean.Select(AsWritten)], Std = [.. recipe.Std.Select(AsWritten)],
        };
    }

    /// <summary>This recipe as in-memory runs did it before blur and hue were batched: no blur, no hue, grayscale after
    /// the jitter. The steps that drops are listed in <see cref="Omitted"/>. Configs written then resume with it, so a
    /// resumed run continues the recipe it started with.</summary>
    public BatchedAugmentation WithoutBlurAndHue()
    {
        var omitted = new List<string>(Omitted);
        if (BlurProbability > 0)
            omitted.Add(FormattableString.Invariant($"Gaussian blur (p {BlurProbability}, sigma {BlurSigma.Min}–{BlurSigma.Max})"));
        if (Hue > 0) omitted.Add(FormattableString.Invariant($"hue jitter ({Hue})"));
        if (GrayscaleBeforeJitter) omitted.Add("grayscale before the colour jitter (done after it)");
        return this with { BlurProbability = 0, Hue = 0, GrayscaleBeforeJitter = false, Omitted = omitted };
    }

    /// <summary>The start-up note on <paramref name="channels"/>-channel data: what the views get, the steps left out
    /// (<see cref="Omitted"/>), and those that change nothing on gray images.</summary>
    public string Describe(int channels)
    {
        string blur = BlurProbability > 0 ? FormattableString.Invariant($", Gaussian blur p {BlurProbability} (sigma {BlurSigma.Min}–{BlurSigma.Max})") : ", no blur";
        var text = new System.Text.StringBuilder(FormattableString.Invariant(
            $"augmentation (batched in libtorch): crop {Scale.Min}–{Scale.Max} to {Size}, flip {FlipProbability}, colour jitter p {JitterProbability} (brightness {Brightness}, contrast {Contrast}, saturation {Saturation}, hue {Hue}), grayscale {GrayscaleProbability}{(GrayscaleBeforeJitter ? " before the jitter" : "")}{blur}"));
        if (channels == 1) text.Append("; on 1-channel images saturation, hue and grayscale change nothing");
        if (Omitted.Count > 0) text.Append("; skipped from the preset's recipe: ").Append(string.Join(", ", Omitted));
        return text.ToString();
    }

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
        internal float[] Hue { get; } = new float[n];              // hue shift in turns (0: none)
        internal int[] HueSlot { get; } = Enumerable.Repeat(3, n).ToArray();   // where hue goes among the four jitter steps (0–3)
        internal bool[] Gray { get; } = new bool[n];
        internal float[] BlurSigma { get; } = new float[n];        // 0: no blur
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
        if (Hue is < 0 or > 0.5) throw new ArgumentOutOfRangeException(nameof(Hue), Hue, "hue jitter must lie in [0, 0.5]");
        var p = new ViewParameters(n);
        var jittered = new bool[n];
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
            jittered[i] = jitter;
        }
        // Hue and blur draw after every other parameter, so adding them left the earlier draws, and the recipes without
        // them, as they were. torchvision's randperm(4) over the jitter steps is the drawn order of the other three with
        // hue put in one of the four places uniformly: the same distribution.
        for (int i = 0; i < n; i++)
        {
            if (Hue > 0 && jittered[i])
            {
                p.Hue[i] = (float)rng.Uniform(-Hue, Hue);
                p.HueSlot[i] = rng.NextInt(4);
            }
            if (BlurProbability > 0 && rng.NextDouble() < BlurProbability) p.BlurSigma[i] = (float)rng.Uniform(BlurSigma.Min, BlurSigma.Max);
        }
        return p;
    }

    /// <summary>One augmented view of each image: uint8 N×C×H×W in, float N×C×Size×Size out (normalised).</summary>
    internal Tensor Apply(Tensor images, ref SplitMix64 rng)
    {
        ArgumentNullException.ThrowIfNull(images);
        return Apply(images, Sample((int)images.size(0), (int)images.size(2), (int)images.size(3), ref rng));
    }

    /// <summary>Applies drawn parameters: crop and flip (one grid_sample), grayscale before the jitter if so set, the
    /// colour jitter in each image's order (torchvision's blends, clamped to [0, 1] after each), grayscale after it
    /// otherwise, the blur, normalisation.</summary>
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
        if (c == 3 && GrayscaleBeforeJitter) x = Grayscale(x, p.Gray);
        x = Jitter(x, p);
        if (c == 3 && !GrayscaleBeforeJitter) x = Grayscale(x, p.Gray);
        if (p.BlurSigma.Any(sigma => sigma > 0))
        {
            var blurred = tensor(p.BlurSigma.Select(sigma => sigma > 0).ToArray(), [n, 1, 1, 1]).to(device);
            x = where(blurred, BatchedGaussianBlur.Apply(x, p.BlurSigma), x);
        }
        var mean = tensor(Mean.Select(v => (float)v).ToArray(), [1, c, 1, 1]).to(device);
        var std = tensor(Std.Select(v => (float)v).ToArray(), [1, c, 1, 1]).to(device);
        return ((x - mean) / std).MoveToOuterDisposeScope();
    }

    /// <summary>The colour jitter: per image, brightness (0), contrast (1), saturation (2) in its drawn order, with hue
    /// (3) in its slot on 3-channel images when any image shifts hue.</summary>
    private static Tensor Jitter(Tensor x, ViewParameters p)
    {
        int n = (int)x.size(0), c = (int)x.size(1);
        Device device = x.device;
        var b = tensor(p.Brightness, [n, 1, 1, 1]).to(device);
        var k = tensor(p.Contrast, [n, 1, 1, 1]).to(device);
        var sat = tensor(p.Saturation, [n, 1, 1, 1]).to(device);
        bool hue = c == 3 && p.Hue.Any(h => h != 0);
        int slots = hue ? 4 : 3;
        var steps = new long[n * slots];
        for (int i = 0; i < n; i++)
            for (int slot = 0, drawn = 0; slot < slots; slot++)
                steps[i * slots + slot] = hue && slot == p.HueSlot[i] ? 3 : p.Order[i * 3 + drawn++];
        var order = tensor(steps, [n, slots]).to(device);
        var shift = hue ? tensor(p.Hue, [n, 1, 1]).to(device) : null;
        // Images without a shift keep their pixels: the HSV round trip is exact only up to float rounding.
        var shifts = hue ? tensor(p.Hue.Select(h => h != 0).ToArray(), [n, 1, 1, 1]).to(device) : null;
        for (int slot = 0; slot < slots; slot++)
        {
            var which = order.select(1, slot).view(n, 1, 1, 1);
            var xb = (x * b).clamp_(0, 1);
            var xc = (x * k + (1 - k) * Luminance(x).mean([1, 2, 3], keepdim: true)).clamp_(0, 1);
            var xs = c == 1 ? x : (x * sat + (1 - sat) * Luminance(x)).clamp_(0, 1);
            x = where(which.eq(0), xb, where(which.eq(1), xc, hue ? where(which.eq(2), xs, where(shifts!, BatchedHue.Adjust(x, shift!), x)) : xs));
        }
        return x;
    }

    private static Tensor Grayscale(Tensor x, bool[] gray)
    {
        long n = x.size(0);
        return where(tensor(gray, [n, 1, 1, 1]).to(x.device), Luminance(x).expand(n, 3, x.size(2), x.size(3)), x);
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
