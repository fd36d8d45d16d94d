using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MoCo.Imaging.Transforms;

/// <summary>
/// torchvision's PIL adjust_hue: convert('HSV') (Pillow 9.4 Convert.c rgb2hsv_row, after colorsys),
/// h += uint8(factor * 255) with uint8 wrap-around, convert back (hsv2rgb). Pillow mixes float32 and
/// double (C promotes float to double next to a double literal), and one ulp decides h at x.5 boundaries,
/// so the vector path keeps every operation's precision: float lanes where Pillow uses float, double lanes
/// where C promotes. The scalar methods are the reference it must equal (tested on all 2^24 colours).
/// </summary>
internal static class PillowHue
{
    /// <summary>Shifts the hue of every pixel of the planes; gray images are returned unchanged (as torchvision does).</summary>
    internal static void Apply(PlanarImage image, float factor)
    {
        if (image.Channels == 1)
        {
            return;
        }

        Apply(image.Plane(0), image.Plane(1), image.Plane(2), Shift(factor));
    }

    /// <summary>np.uint8(factor * 255) of a float: truncate toward zero, then wrap modulo 256.</summary>
    internal static byte Shift(float factor) => unchecked((byte)(int)(factor * 255.0));

    internal static void Apply(Span<byte> rPlane, Span<byte> gPlane, Span<byte> bPlane, byte shift)
    {
        ref byte r = ref MemoryMarshal.GetReference(rPlane);
        ref byte g = ref MemoryMarshal.GetReference(gPlane);
        ref byte b = ref MemoryMarshal.GetReference(bPlane);
        int n = rPlane.Length, i = 0;
        if (ByteLanes.Enabled)
        {
            var s = Vector256.Create((int)shift);
            for (; i <= n - ByteLanes.Step; i += ByteLanes.Step)
            {
                var (r0, r1) = ByteLanes.Load(ref r, i);
                var (g0, g1) = ByteLanes.Load(ref g, i);
                var (b0, b1) = ByteLanes.Load(ref b, i);
                ShiftHue(ref r0, ref g0, ref b0, s);
                ShiftHue(ref r1, ref g1, ref b1, s);
                ByteLanes.Store(r0, r1, ref r, i);
                ByteLanes.Store(g0, g1, ref g, i);
                ByteLanes.Store(b0, b1, ref b, i);
            }
        }

        Span<byte> rgb = stackalloc byte[3];
        for (; i < n; i++)
        {
            ref byte ri = ref Unsafe.Add(ref r, i);
            ref byte gi = ref Unsafe.Add(ref g, i);
            ref byte bi = ref Unsafe.Add(ref b, i);
            RgbToHsv(ri, gi, bi, out byte h, out byte sat, out byte v);
            HsvToRgb(unchecked((byte)(h + shift)), sat, v, rgb);
            (ri, gi, bi) = (rgb[0], rgb[1], rgb[2]);
        }
    }

    /// <summary>Convert.c rgb2hsv_row (after colorsys), float32 where Pillow uses float and double where C promotes.</summary>
    internal static void RgbToHsv(byte r, byte g, byte b, out byte h, out byte s, out byte v)
    {
        byte maxc = Math.Max(r, Math.Max(g, b));
        byte minc = Math.Min(r, Math.Min(g, b));
        v = maxc;
        if (minc == maxc)
        {
            h = 0;
            s = 0;
            return;
        }

        float cr = maxc - minc;
        float sf = cr / maxc;
        float rc = (maxc - r) / cr;
        float gc = (maxc - g) / cr;
        float bc = (maxc - b) / cr;
        // C evaluates "2.0 + rc - bc" in double (2.0 is a double literal) and "bc - gc" in float.
        float hf = r == maxc ? bc - gc : g == maxc ? (float)(2.0 + rc - bc) : (float)(4.0 + gc - rc);
        hf = (float)(((hf / 6.0) + 1.0) % 1.0);
        h = Clip8((int)(hf * 255.0));
        s = Clip8((int)(sf * 255.0));
    }

    /// <summary>Convert.c hsv2rgb.</summary>
    internal static void HsvToRgb(byte h, byte s, byte v, Span<byte> rgb)
    {
        if (s == 0)
        {
            rgb[0] = rgb[1] = rgb[2] = v;
            return;
        }

        int i = (int)Math.Floor(h * 6.0 / 255.0);
        float f = (float)((h * 6.0 / 255.0) - i);
        float fs = (float)(s / 255.0);
        byte p = Clip8((int)Math.Round(v * (1.0 - fs), MidpointRounding.AwayFromZero));
        byte q = Clip8((int)Math.Round(v * (1.0 - (fs * f)), MidpointRounding.AwayFromZero)); // fs * f: float * float in C
        byte t = Clip8((int)Math.Round(v * (1.0 - (fs * (1.0 - f))), MidpointRounding.AwayFromZero));
        (rgb[0], rgb[1], rgb[2]) = (i % 6) switch
        {
            0 => (v, t, p),
            1 => (q, v, p),
            2 => (p, v, t),
            3 => (p, q, v),
            4 => (t, p, v),
            _ => (v, p, q),
        };
    }

    /// <summary>RgbToHsv, add <paramref name="shift"/> to h modulo 256, HsvToRgb, on 8 pixels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ShiftHue(ref Vector256<int> r, ref Vector256<int> g, ref Vector256<int> b, Vector256<int> shift)
    {
        // rgb2hsv. Lanes with max == min divide by zero here; their NaNs are replaced by h = s = 0 below.
        var maxc = Vector256.Max(r, Vector256.Max(g, b));
        var minc = Vector256.Min(r, Vector256.Min(g, b));
        var gray = Vector256.Equals(maxc, minc);
        var cr = Vector256.ConvertToSingle(maxc - minc);
        var sf = cr / Vector256.ConvertToSingle(maxc);
        var rc = Vector256.ConvertToSingle(maxc - r) / cr;
        var gc = Vector256.ConvertToSingle(maxc - g) / cr;
        var bc = Vector256.ConvertToSingle(maxc - b) / cr;
        var hr = bc - gc;
        var hg = ToFloat(Subtract(Add(2.0, rc), Widen(bc)));
        var hb = ToFloat(Subtract(Add(4.0, gc), Widen(rc)));
        var hf = Vector256.ConditionalSelect(Vector256.Equals(r, maxc).AsSingle(), hr,
                 Vector256.ConditionalSelect(Vector256.Equals(g, maxc).AsSingle(), hg, hb));

        // fmod(h / 6.0 + 1.0, 1.0): the argument lies in [5/6, 11/6], so fmod is one exact subtraction.
        var (lo, hi) = Vector256.Widen(hf);
        hf = ToFloat(Wrap((lo / 6.0) + Vector256<double>.One), Wrap((hi / 6.0) + Vector256<double>.One));
        var h = Vector256.ConditionalSelect(gray, Vector256<int>.Zero, Truncate255(hf));
        var s = Vector256.ConditionalSelect(gray, Vector256<int>.Zero, Truncate255(sf));
        var v = maxc;

        // The shift, with uint8 wrap-around.
        h = (h + shift) & Vector256.Create(255);

        // hsv2rgb.
        var (hLo, hHi) = Vector256.Widen(Vector256.ConvertToSingle(h));
        var sixthsLo = (hLo * 6.0) / 255.0; // h * 6.0 / 255.0, left to right as C
        var sixthsHi = (hHi * 6.0) / 255.0;
        var iLo = Vector256.Floor(sixthsLo);
        var iHi = Vector256.Floor(sixthsHi);
        var f = ToFloat(sixthsLo - iLo, sixthsHi - iHi);
        var (sLo, sHi) = Vector256.Widen(Vector256.ConvertToSingle(s));
        var fs = ToFloat(sLo / 255.0, sHi / 255.0);
        var vf = Vector256.ConvertToSingle(v);
        var p = Round(vf, Complement(Widen(fs)));
        var q = Round(vf, Complement(Widen(fs * f)));
        var t = Round(vf, Complement(Multiply(Widen(fs), Complement(Widen(f)))));
        var i = Vector256.ConvertToInt32(ToFloat(iLo, iHi));
        i = Vector256.ConditionalSelect(Vector256.Equals(i, Vector256.Create(6)), Vector256<int>.Zero, i);

        var is0 = Vector256.Equals(i, Vector256<int>.Zero);
        var is1 = Vector256.Equals(i, Vector256.Create(1));
        var is2 = Vector256.Equals(i, Vector256.Create(2));
        var is3 = Vector256.Equals(i, Vector256.Create(3));
        var is4 = Vector256.Equals(i, Vector256.Create(4));
        var is5 = Vector256.Equals(i, Vector256.Create(5));
        // Sectors 0..5: (v,t,p) (q,v,p) (p,v,t) (p,q,v) (t,p,v) (v,p,q).
        var rr = Vector256.ConditionalSelect(is0 | is5, v, Vector256.ConditionalSelect(is1, q, Vector256.ConditionalSelect(is4, t, p)));
        var gg = Vector256.ConditionalSelect(is1 | is2, v, Vector256.ConditionalSelect(is0, t, Vector256.ConditionalSelect(is3, q, p)));
        var bb = Vector256.ConditionalSelect(is3 | is4, v, Vector256.ConditionalSelect(is0 | is1, p, Vector256.ConditionalSelect(is2, t, q)));
        var unsaturated = Vector256.Equals(s, Vector256<int>.Zero);
        r = Vector256.ConditionalSelect(unsaturated, v, rr);
        g = Vector256.ConditionalSelect(unsaturated, v, gg);
        b = Vector256.ConditionalSelect(unsaturated, v, bb);
    }

    /// <summary>Both halves of 8 floats as doubles (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<double> Lo, Vector256<double> Hi) Widen(Vector256<float> x) => Vector256.Widen(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<double> Lo, Vector256<double> Hi) Add(double c, Vector256<float> x)
    {
        var (lo, hi) = Vector256.Widen(x);
        return (Vector256.Create(c) + lo, Vector256.Create(c) + hi);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<double> Lo, Vector256<double> Hi) Subtract((Vector256<double> Lo, Vector256<double> Hi) a, (Vector256<double> Lo, Vector256<double> Hi) b) =>
        (a.Lo - b.Lo, a.Hi - b.Hi);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ToFloat((Vector256<double> Lo, Vector256<double> Hi) x) => Vector256.Narrow(x.Lo, x.Hi);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ToFloat(Vector256<double> lo, Vector256<double> hi) => Vector256.Narrow(lo, hi);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<double> Lo, Vector256<double> Hi) Complement((Vector256<double> Lo, Vector256<double> Hi) x) =>
        (Vector256<double>.One - x.Lo, Vector256<double>.One - x.Hi);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<double> Lo, Vector256<double> Hi) Multiply((Vector256<double> Lo, Vector256<double> Hi) a, (Vector256<double> Lo, Vector256<double> Hi) b) =>
        (a.Lo * b.Lo, a.Hi * b.Hi);

    /// <summary>x in [5/6, 11/6]: fmod(x, 1.0) = x - 1 when x >= 1 (exact by Sterbenz), else x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Wrap(Vector256<double> x) =>
        Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<double>.One), x - Vector256<double>.One, x);

    /// <summary>(int)(x * 255.0) with x a float promoted to double, for x in [0, 1] (truncation is floor there).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Truncate255(Vector256<float> x)
    {
        var (lo, hi) = Vector256.Widen(x);
        var c = Vector256.Create(255.0);
        return Vector256.ConvertToInt32(Vector256.Narrow(Vector256.Floor(lo * c), Vector256.Floor(hi * c)));
    }

    /// <summary>
    /// Math.Round(v * w, AwayFromZero) for v in [0, 255] and w in [0, 1]: floor, plus one when the fraction
    /// (exact, as x - floor(x) is) reaches 0.5; floor(x + 0.5) would round 0.49999999999999994 up.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Round(Vector256<float> v, (Vector256<double> Lo, Vector256<double> Hi) w)
    {
        var (vLo, vHi) = Vector256.Widen(v);
        var half = Vector256.Create(0.5);
        var xLo = vLo * w.Lo;
        var xHi = vHi * w.Hi;
        var fLo = Vector256.Floor(xLo);
        var fHi = Vector256.Floor(xHi);
        fLo += Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(xLo - fLo, half), Vector256<double>.One, Vector256<double>.Zero);
        fHi += Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(xHi - fHi, half), Vector256<double>.One, Vector256<double>.Zero);
        return Vector256.ConvertToInt32(Vector256.Narrow(fLo, fHi));
    }

    private static byte Clip8(int v) => (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
}
