using System.Globalization;

namespace MoCo.Imaging.Tests.Decoding;

/// <summary>Max and mean absolute difference per byte between two decodes of the same image, and how many bytes differ.</summary>
internal readonly record struct PixelDifference(int Max, double Mean, int Differing, int Count)
{
    internal static PixelDifference Of(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> expected)
    {
        if (actual.Length != expected.Length)
        {
            throw new ArgumentException($"{actual.Length} bytes against {expected.Length}.", nameof(actual));
        }

        int max = 0, differing = 0;
        long sum = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            int d = Math.Abs(actual[i] - expected[i]);
            max = Math.Max(max, d);
            sum += d;
            differing += d > 0 ? 1 : 0;
        }

        return new PixelDifference(max, actual.IsEmpty ? 0 : (double)sum / actual.Length, differing, actual.Length);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"max {Max}, mean {Mean:F4}, {Differing} of {Count} bytes differ");
}
