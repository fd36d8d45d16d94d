using System.Numerics;
using System.Runtime.InteropServices;

namespace MoCo.Evaluation;

/// <summary>Dot products and norms over float spans, vectorised with <see cref="Vector{T}"/> and a scalar tail.</summary>
internal static class VectorMath
{
    /// <summary>Σ a[i]·b[i] (the spans have the same length).</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => Sum<Product>(a, b, "dot product of");

    /// <summary>‖a − b‖², summed from the differences (no cancellation for near neighbours, as 2 − 2·a·b has).</summary>
    public static float SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => Sum<SquaredDifference>(a, b, "distance between");

    /// <summary>Σ op(a[i], b[i]), in <see cref="Vector{T}"/> lanes and a scalar tail (the JIT specialises it per op).</summary>
    private static float Sum<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, string what)
        where TOp : struct, IPairOp
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"{what} {a.Length} and {b.Length} values.", nameof(b));
        }

        var i = 0;
        var sum = 0f;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<float>.Count)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
            var acc = Vector<float>.Zero;
            for (var v = 0; v < va.Length; v++)
            {
                acc += default(TOp).Apply(va[v], vb[v]);
            }

            sum = Vector.Sum(acc);
            i = va.Length * Vector<float>.Count;
        }

        for (; i < a.Length; i++)
        {
            sum += default(TOp).Apply(a[i], b[i]);
        }

        return sum;
    }

    private interface IPairOp
    {
        Vector<float> Apply(Vector<float> a, Vector<float> b);

        float Apply(float a, float b);
    }

    private readonly struct Product : IPairOp
    {
        public Vector<float> Apply(Vector<float> a, Vector<float> b) => a * b;

        public float Apply(float a, float b) => a * b;
    }

    private readonly struct SquaredDifference : IPairOp
    {
        public Vector<float> Apply(Vector<float> a, Vector<float> b)
        {
            var d = a - b;
            return d * d;
        }

        public float Apply(float a, float b)
        {
            var d = a - b;
            return d * d;
        }
    }

    /// <summary>‖a‖₂.</summary>
    public static float Norm(ReadOnlySpan<float> a) => MathF.Sqrt(Dot(a, a));
}
