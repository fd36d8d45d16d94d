namespace MoCo.Imaging.Transforms;

/// <summary>Everything one augmented view draws: apply the same values to get the same view.</summary>
/// <param name="Crop">RandomResizedCrop box in the source image.</param>
/// <param name="Jitter">ColorJitter factors, or null when jitter was not applied.</param>
/// <param name="Grayscale">Whether RandomGrayscale fired.</param>
/// <param name="BlurSigma">Gaussian blur sigma, or null when blur was not applied.</param>
/// <param name="Flip">Whether RandomHorizontalFlip fired.</param>
public sealed record ViewParams(CropBox Crop, ColorJitterParams? Jitter, bool Grayscale, float? BlurSigma, bool Flip);

/// <summary>
/// A MoCo augmentation recipe as data (facebookresearch/moco main_moco.py). <see cref="V1"/>:
/// RandomResizedCrop(0.2-1), RandomGrayscale 0.2, ColorJitter(0.4, 0.4, 0.4, 0.4), flip, Normalize.
/// <see cref="V2"/>: RandomResizedCrop(0.2-1), ColorJitter(0.4, 0.4, 0.4, 0.1) with p 0.8, RandomGrayscale 0.2,
/// GaussianBlur(0.1-2) with p 0.5, flip, Normalize. On 1-channel images the colour steps reduce to brightness and contrast.
/// </summary>
public sealed record MoCoAugmentation : PlanarAugmentation
{
    /// <summary>Crop sampler and output size; default 224, scale 0.2-1.0, ratio 3/4-4/3.</summary>
    public RandomResizedCrop Crop { get; init; } = new();

    /// <summary>Jitter strengths; default (0.4, 0.4, 0.4, 0.4).</summary>
    public ColorJitter Jitter { get; init; } = new();

    /// <summary>Probability of applying jitter; default 1.0 (v1).</summary>
    public double JitterProbability { get; init; } = 1.0;

    /// <summary>Probability of RandomGrayscale; default 0.2.</summary>
    public double GrayscaleProbability { get; init; } = 0.2;

    /// <summary>True (v1): grayscale is applied before jitter; false (v2): after.</summary>
    public bool GrayscaleBeforeJitter { get; init; } = true;

    /// <summary>Blur sigma range; default 0.1-2.0.</summary>
    public GaussianBlur Blur { get; init; } = new();

    /// <summary>Probability of blurring; default 0 (v1 has no blur).</summary>
    public double BlurProbability { get; init; }

    /// <summary>Probability of a horizontal flip; default 0.5.</summary>
    public double FlipProbability { get; init; } = 0.5;

    /// <summary>MoCo v1's recipe at <paramref name="size"/> (default 224).</summary>
    public static MoCoAugmentation V1(int size = 224) => new() { Crop = new RandomResizedCrop(size) };

    /// <summary>MoCo v2's recipe ("aug_plus") at <paramref name="size"/> (default 224).</summary>
    public static MoCoAugmentation V2(int size = 224) => new()
    {
        Crop = new RandomResizedCrop(size),
        Jitter = new ColorJitter(0.4f, 0.4f, 0.4f, 0.1f),
        JitterProbability = 0.8,
        GrayscaleBeforeJitter = false,
        BlurProbability = 0.5,
    };

    /// <summary>Draws every parameter of one view of a <paramref name="width"/> x <paramref name="height"/> image, in torchvision's call order.</summary>
    public override ViewParams Sample(int width, int height, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var crop = Crop.Sample(width, height, rng);
        bool gray = false;
        if (GrayscaleBeforeJitter)
        {
            gray = rng.NextDouble() < GrayscaleProbability;
        }

        var jitter = rng.NextDouble() < JitterProbability ? Jitter.Sample(rng) : null;
        if (!GrayscaleBeforeJitter)
        {
            gray = rng.NextDouble() < GrayscaleProbability;
        }

        float? sigma = rng.NextDouble() < BlurProbability ? Blur.Sample(rng) : null;
        bool flip = rng.NextDouble() < FlipProbability;
        return new ViewParams(crop, jitter, gray, sigma, flip);
    }

    /// <summary>
    /// The view as planes: the resized crop is split into planes once, and every later step (grayscale, jitter,
    /// blur per plane, flip) works on contiguous channels, in main_moco.py's order.
    /// </summary>
    private protected override PlanarImage ApplyPlanes(DecodedImage image, ViewParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        PlanarImage planes;
        using (var crop = Crop.Apply(image, p.Crop))
        {
            planes = PlanarImage.From(crop);
        }

        try
        {
            if (p.Grayscale && GrayscaleBeforeJitter)
            {
                PillowColor.Grayscale(planes);
            }

            if (p.Jitter is not null)
            {
                ColorJitter.Apply(planes, p.Jitter);
            }

            if (p.Grayscale && !GrayscaleBeforeJitter)
            {
                PillowColor.Grayscale(planes);
            }

            if (p.BlurSigma is { } sigma)
            {
                // Pillow blurs each band with the same arithmetic, so a plane is a 1-channel image.
                ArgumentOutOfRangeException.ThrowIfNegative(sigma);
                for (int ch = 0; ch < planes.Channels; ch++)
                {
                    PillowGaussianBlur.Apply(planes.Plane(ch), planes.Width, planes.Height, 1, sigma);
                }
            }

            if (p.Flip)
            {
                planes.FlipHorizontal();
            }

            return planes;
        }
        catch
        {
            planes.Dispose();
            throw;
        }
    }
}
