namespace MoCo.Training.Data;

/// <summary>
/// A small deterministic generator (SplitMix64, Steele et al. 2014) whose streams are a pure function of their keys,
/// so a resumed run draws exactly what an uninterrupted one would: no generator state needs saving.
/// </summary>
internal struct SplitMix64
{
    private ulong state;

    internal SplitMix64(ulong seed) => state = seed;

    /// <summary>A generator for the stream named by (seed, a, b, c).</summary>
    internal static SplitMix64 For(ulong seed, long a, long b = 0, long c = 0)
    {
        var g = new SplitMix64(seed);
        ulong h = g.NextUInt64() ^ (ulong)a * 0x9E3779B97F4A7C15UL;
        h = new SplitMix64(h).NextUInt64() ^ (ulong)b * 0xC2B2AE3D27D4EB4FUL;
        h = new SplitMix64(h).NextUInt64() ^ (ulong)c * 0x165667B19E3779F9UL;
        return new SplitMix64(h);
    }

    internal ulong NextUInt64()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform on [0, 1) with 53 bits.</summary>
    internal double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform on [lo, hi).</summary>
    internal double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Uniform integer on [0, n).</summary>
    internal int NextInt(int n) => (int)(NextDouble() * n);

    /// <summary>A uniformly random permutation of 0..n-1 (Fisher–Yates).</summary>
    internal int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }
}
