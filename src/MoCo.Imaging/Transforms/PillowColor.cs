using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MoCo.Imaging.Transforms;

/// <summary>
/// Pillow 9.4's colour arithmetic (ImageEnhance over libImaging/Blend.c, Convert.c's L conversion), in
/// place on 8-bit planes, so torchvision's PIL-path ColorJitter results are reproduced exactly.
/// Brightness and contrast blend every value with one constant, so they go through a 256-entry table built
/// with the scalar formula; saturation and grayscale run 8 lanes at a time (<see cref="ByteLanes"/>) with a
/// scalar tail. Hue lives in <see cref="PillowHue"/>.
/// </summary>
internal static class PillowColor
{
    /// <summary>Blend.c: out = in1 + alpha * (in2 - in1) in float32, truncated; clipped only when alpha lies outside [0, 1].</summary>
    internal static byte Blend(int degenerate, int value, float alpha)
    {
        float t = degenerate + (alpha * (value - degenerate));
        if (alpha is >= 0 and <= 1)
        {
            return (byte)t;
        }

        return t <= 0 ? (byte)0 : t >= 255 ? (byte)255 : (byte)t;
    }

    /// <summary>ImageEnhance.Brightness: blend with black.</summary>
    internal static void Brightness(PlanarImage image, float factor) => BlendWithConstant(image.All, 0, factor);

    /// <summary>ImageEnhance.Contrast: blend with the mean gray level, int(mean(convert('L')) + 0.5).</summary>
    internal static void Contrast(PlanarImage image, float factor)
    {
        long sum = image.Channels == 1 ? Sum(image.Plane(0)) : LumaSum(image.Plane(0), image.Plane(1), image.Plane(2));
        int mean = (int)(((double)sum / image.PlaneSize) + 0.5);
        BlendWithConstant(image.All, mean, factor);
    }

    /// <summary>ImageEnhance.Color: blend each channel with convert('L') of its pixel; a no-op on gray images.</summary>
    internal static void Saturation(PlanarImage image, float factor) => MixWithLuma(image, new TowardsLuma(factor));

    /// <summary>RandomGrayscale's operation: PIL's convert('L') written to every plane (gray images are unchanged).</summary>
    internal static void Grayscale(PlanarImage image) => MixWithLuma(image, default(ToLuma));

    /// <summary>Replaces each channel of every RGB pixel with <typeparamref name="TMix"/> of it and the pixel's luma: 8
    /// lanes at a time, then a scalar tail; a struct, so the JIT compiles one loop per operation.</summary>
    private static void MixWithLuma<TMix>(PlanarImage image, TMix mix)
        where TMix : struct, ILumaMix
    {
        if (image.Channels == 1)
        {
            return;
        }

        ref byte r = ref MemoryMarshal.GetReference(image.Plane(0));
        ref byte g = ref MemoryMarshal.GetReference(image.Plane(1));
        ref byte b = ref MemoryMarshal.GetReference(image.Plane(2));
        int n = image.PlaneSize, i = 0;
        if (ByteLanes.Enabled)
        {
            for (; i <= n - ByteLanes.Step; i += ByteLanes.Step)
            {
                var (r0, r1) = ByteLanes.Load(ref r, i);
                var (g0, g1) = ByteLanes.Load(ref g, i);
                var (b0, b1) = ByteLanes.Load(ref b, i);
                var l0 = ByteLanes.Luma(r0, g0, b0);
                var l1 = ByteLanes.Luma(r1, g1, b1);
                ByteLanes.Store(mix.Mix(l0, r0), mix.Mix(l1, r1), ref r, i);
                ByteLanes.Store(mix.Mix(l0, g0), mix.Mix(l1, g1), ref g, i);
                ByteLanes.Store(mix.Mix(l0, b0), mix.Mix(l1, b1), ref b, i);
            }
        }

        for (; i < n; i++)
        {
            ref byte ri = ref Unsafe.Add(ref r, i);
            ref byte gi = ref Unsafe.Add(ref g, i);
            ref byte bi = ref Unsafe.Add(ref b, i);
            int l = Luma(ri, gi, bi);
            (ri, gi, bi) = (mix.Mix(l, ri), mix.Mix(l, gi), mix.Mix(l, bi));
        }
    }

    /// <summary>What a channel becomes given its pixel's luma, on 8 lanes and on one value.</summary>
    private interface ILumaMix
    {
        Vector256<int> Mix(Vector256<int> luma, Vector256<int> channel);

        byte Mix(int luma, int channel);
    }

    /// <summary>ImageEnhance.Color's blend of the channel with the luma (<see cref="Blend"/>).</summary>
    private readonly struct TowardsLuma(float factor) : ILumaMix
    {
        private readonly Vector256<float> _alpha = Vector256.Create(factor);

        public Vector256<int> Mix(Vector256<int> luma, Vector256<int> channel) => ByteLanes.Blend(luma, channel, _alpha);

        public byte Mix(int luma, int channel) => Blend(luma, channel, factor);
    }

    /// <summary>convert('L'): the channel becomes the luma.</summary>
    private readonly struct ToLuma : ILumaMix
    {
        public Vector256<int> Mix(Vector256<int> luma, Vector256<int> channel) => luma;

        public byte Mix(int luma, int channel) => (byte)luma;
    }

    /// <summary>PIL's convert('L') luma (Convert.c L24).</summary>
    internal static int Luma(int r, int g, int b) => ((r * 19595) + (g * 38470) + (b * 7471) + 0x8000) >> 16;

    /// <summary>Blends every value with one constant through a table: the scalar formula, 256 times.</summary>
    private static void BlendWithConstant(Span<byte> values, int degenerate, float alpha)
    {
        Span<byte> table = stackalloc byte[256];
        for (int v = 0; v < 256; v++)
        {
            table[v] = Blend(degenerate, v, alpha);
        }

        ref byte t = ref MemoryMarshal.GetReference(table);
        ref byte p = ref MemoryMarshal.GetReference(values);
        for (int i = 0; i < values.Length; i++)
        {
            ref byte x = ref Unsafe.Add(ref p, i);
            x = Unsafe.Add(ref t, x);
        }
    }

    /// <summary>Sum of the luma of every pixel; int lanes are emptied into a long every 64K steps so no lane overflows.</summary>
    private static long LumaSum(ReadOnlySpan<byte> rPlane, ReadOnlySpan<byte> gPlane, ReadOnlySpan<byte> bPlane)
    {
        ref byte r = ref MemoryMarshal.GetReference(rPlane);
        ref byte g = ref MemoryMarshal.GetReference(gPlane);
        ref byte b = ref MemoryMarshal.GetReference(bPlane);
        int n = rPlane.Length, i = 0;
        long sum = 0;
        if (ByteLanes.Enabled)
        {
            while (i <= n - ByteLanes.Step)
            {
                var acc = Vector256<int>.Zero;
                int end = Math.Min(n - ByteLanes.Step, i + (ByteLanes.Step * 65536));
                for (; i <= end; i += ByteLanes.Step)
                {
                    var (r0, r1) = ByteLanes.Load(ref r, i);
                    var (g0, g1) = ByteLanes.Load(ref g, i);
                    var (b0, b1) = ByteLanes.Load(ref b, i);
                    acc += ByteLanes.Luma(r0, g0, b0) + ByteLanes.Luma(r1, g1, b1);
                }

                sum += Vector256.Sum(acc);
            }
        }

        for (; i < n; i++)
        {
            sum += Luma(Unsafe.Add(ref r, i), Unsafe.Add(ref g, i), Unsafe.Add(ref b, i));
        }

        return sum;
    }

    private static long Sum(ReadOnlySpan<byte> values)
    {
        long sum = 0;
        foreach (byte v in values)
        {
            sum += v;
        }

        return sum;
    }
}
