using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MoCo.Imaging.Transforms;

/// <summary>
/// Moves 16 bytes in and out of two 8-lane int vectors, the working width of the colour kernels
/// (8-bit values widened to int32, so Pillow's integer and float arithmetic runs lane by lane). The colour kernels
/// work in fixed 8-lane Vector256 because hue splits each float vector into two 4-lane double vectors;
/// <see cref="VectorBytes"/> is the width-agnostic Vector&lt;T&gt; sibling that the integer resize and blur kernels use.
/// </summary>
internal static class ByteLanes
{
    /// <summary>Whether the vector kernels run here (AVX2 and the like); otherwise the scalar reference runs.</summary>
    internal static bool Enabled => Vector256.IsHardwareAccelerated;

    /// <summary>Lanes per step: 16 bytes, two int vectors.</summary>
    internal const int Step = 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (Vector256<int> Low, Vector256<int> High) Load(ref byte source, int offset)
    {
        var bytes = Vector128.LoadUnsafe(ref source, (nuint)offset);
        var (lo, hi) = Vector128.Widen(bytes);
        return (Vector256.Create(Vector128.WidenLower(lo), Vector128.WidenUpper(lo)).AsInt32(),
                Vector256.Create(Vector128.WidenLower(hi), Vector128.WidenUpper(hi)).AsInt32());
    }

    /// <summary>Stores 16 values that already lie in [0, 255].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Store(Vector256<int> low, Vector256<int> high, ref byte destination, int offset)
    {
        var shorts = Vector256.Narrow(low.AsUInt32(), high.AsUInt32());
        Vector128.Narrow(shorts.GetLower(), shorts.GetUpper()).StoreUnsafe(ref destination, (nuint)offset);
    }

    /// <summary>PIL's convert('L') luma (Convert.c L24) of 8 pixels: (19595 R + 38470 G + 7471 B + 0x8000) >> 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> Luma(Vector256<int> r, Vector256<int> g, Vector256<int> b) =>
        Vector256.ShiftRightLogical((r * 19595) + (g * 38470) + (b * 7471) + Vector256.Create(0x8000), 16);

    /// <summary>
    /// Blend.c on 8 lanes: <c>degenerate + alpha * (value - degenerate)</c> in float32 (no fused multiply-add,
    /// as the C code), truncated and clipped to [0, 255] (clipping only bites when alpha lies outside [0, 1]).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> Blend(Vector256<int> degenerate, Vector256<int> value, Vector256<float> alpha)
    {
        var t = Vector256.ConvertToSingle(degenerate) + (alpha * Vector256.ConvertToSingle(value - degenerate));
        return Vector256.Clamp(Vector256.ConvertToInt32(t), Vector256<int>.Zero, Vector256.Create(255));
    }
}
