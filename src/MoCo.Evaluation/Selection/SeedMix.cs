namespace MoCo.Evaluation.Selection;

/// <summary>A 31-bit seed for <see cref="Random"/> from a 64-bit seed and a stream tag: SplitMix64's finaliser, so every
/// bit of the seed matters and each method draws its own stream.</summary>
internal static class SeedMix
{
    public static int ToInt32(ulong seed, ulong stream)
    {
        var z = seed ^ (stream * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }
}
