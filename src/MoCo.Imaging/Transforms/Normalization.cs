using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MoCo.Imaging.Transforms;

/// <summary>torchvision's ToTensor + Normalize on one plane: (v / 255 - mean) / std in float32, 8 lanes at a time.</summary>
internal static class Normalization
{
    internal static void ToUnitThenStandardize(ReadOnlySpan<byte> plane, float mean, float std, Span<float> destination)
    {
        if (destination.Length < plane.Length)
        {
            throw new ArgumentException($"destination holds {destination.Length} floats, the plane {plane.Length}.", nameof(destination));
        }

        ref byte src = ref MemoryMarshal.GetReference(plane);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        int n = plane.Length, i = 0;
        if (ByteLanes.Enabled)
        {
            var scale = Vector256.Create(255f);
            var m = Vector256.Create(mean);
            var s = Vector256.Create(std);
            for (; i <= n - ByteLanes.Step; i += ByteLanes.Step)
            {
                var (lo, hi) = ByteLanes.Load(ref src, i);
                (((Vector256.ConvertToSingle(lo) / scale) - m) / s).StoreUnsafe(ref dst, (nuint)i);
                (((Vector256.ConvertToSingle(hi) / scale) - m) / s).StoreUnsafe(ref dst, (nuint)(i + 8));
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref dst, i) = ((Unsafe.Add(ref src, i) / 255f) - mean) / std;
        }
    }
}
