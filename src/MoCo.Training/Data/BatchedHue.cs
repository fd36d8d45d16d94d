using TorchSharp;
using static TorchSharp.torch;

namespace MoCo.Training.Data;

/// <summary>The colour jitter's hue step for <see cref="BatchedAugmentation"/>, batched in libtorch.</summary>
internal static class BatchedHue
{
    /// <summary>
    /// torchvision's adjust_hue on float RGB in [0, 1] (N×3×H×W), the shift per image (N×1×1, turns): to HSV (hue in
    /// turns, from the channel that holds the maximum), hue shifted modulo 1, back to RGB through the six sectors.
    /// </summary>
    internal static Tensor Adjust(Tensor x, Tensor shift)
    {
        using var scope = NewDisposeScope();
        var r = x.select(1, 0);
        var g = x.select(1, 1);
        var bl = x.select(1, 2);
        var maxc = x.amax([1]);
        var minc = x.amin([1]);
        var equal = maxc.eq(minc);
        var chroma = maxc - minc;
        var ones = ones_like(maxc);
        var saturation = chroma / where(equal, ones, maxc);
        var divisor = where(equal, ones, chroma);
        var rc = (maxc - r) / divisor;
        var gc = (maxc - g) / divisor;
        var bc = (maxc - bl) / divisor;
        var isR = maxc.eq(r);
        var isG = maxc.eq(g).logical_and(isR.logical_not());
        var isB = isR.logical_or(maxc.eq(g)).logical_not();
        var h = isR.to(x.dtype) * (bc - gc) + isG.to(x.dtype) * (2.0 + rc - bc) + isB.to(x.dtype) * (4.0 + gc - rc);
        h = fmod(h / 6.0 + 1.0, 1.0);
        h = remainder(h + shift, 1.0);
        // HSV → RGB: sector i = floor(6h) mod 6, f its fraction.
        var v = maxc;
        var sector = floor(h * 6.0);
        var f = h * 6.0 - sector;
        var sectorIndex = sector.to(ScalarType.Int32).remainder(6);
        var p = (v * (1.0 - saturation)).clamp(0, 1);
        var q = (v * (1.0 - saturation * f)).clamp(0, 1);
        var t = (v * (1.0 - saturation * (1.0 - f))).clamp(0, 1);
        Tensor Pick(Tensor s0, Tensor s1, Tensor s2, Tensor s3, Tensor s4, Tensor s5) =>
            where(sectorIndex.eq(0), s0, where(sectorIndex.eq(1), s1, where(sectorIndex.eq(2), s2, where(sectorIndex.eq(3), s3, where(sectorIndex.eq(4), s4, s5)))));
        var rgb = stack([Pick(v, q, p, p, t, v), Pick(t, v, v, q, p, p), Pick(p, p, t, v, v, q)], 1);
        return rgb.MoveToOuterDisposeScope();
    }
}
