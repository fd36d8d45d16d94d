namespace MoCo.Imaging.Loading;

/// <summary>
/// Deterministic seed derivation (SplitMix64's finaliser, Steele et al. 2014). HashCode.Combine is
/// randomised per process, so it cannot make runs repeatable.
/// </summary>
internal static class SeedMix
{
    internal static int Mix(int seed, int epoch, int index)
    {
        ulong z = ((ulong)(uint)seed << 32) ^ ((ulong)(uint)epoch * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)index * 0xBF58476D1CE4E5B9UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)(z ^ (z >> 31));
    }
}
