using MoCo.Imaging.Transforms;

namespace MoCo.Imaging.Tests.Transforms;

/// <summary>
/// PixelTranspose against the definition <c>dst[x][y] = src[y][x]</c> (per pixel, channel order kept), exact:
/// sizes around its 16-pixel tiles and 4-pixel blocks, padded strides, sources that end right after the last
/// pixel (where a block's 16-byte loads would read past the end), and nothing written outside the pixels.
/// </summary>
public class PixelTransposeTests
{
    [Test]
    public void Matches_the_definition_on_random_sizes_and_strides()
    {
        var rng = new Random(41);
        int[] sides = [1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 33, 64, 67];
        for (int t = 0; t < 600; t++)
        {
            int channels = rng.Next(2) == 0 ? 1 : 3;
            int rows = rng.Next(3) == 0 ? sides[rng.Next(sides.Length)] : rng.Next(1, 90);
            int cols = rng.Next(3) == 0 ? sides[rng.Next(sides.Length)] : rng.Next(1, 90);
            int srcStride = (cols * channels) + (rng.Next(2) == 0 ? 0 : rng.Next(1, 20));
            int dstStride = (rows * channels) + (rng.Next(2) == 0 ? 0 : rng.Next(1, 20));

            // The source ends right after its last pixel (no slack for over-reads), unless the stride pads it.
            var src = new byte[((rows - 1) * srcStride) + (cols * channels)];
            rng.NextBytes(src);
            var dst = new byte[((cols - 1) * dstStride) + (rows * channels) + 7];
            Array.Fill(dst, (byte)0xA5);
            PixelTranspose.Transpose(src, srcStride, rows, cols, channels, dst, dstStride);

            for (int x = 0; x < cols; x++)
            {
                for (int y = 0; y < rows; y++)
                {
                    for (int ch = 0; ch < channels; ch++)
                    {
                        byte expected = src[(y * srcStride) + (x * channels) + ch], actual = dst[(x * dstStride) + (y * channels) + ch];
                        if (expected != actual)
                        {
                            Assert.Fail($"{rows}x{cols}x{channels} strides {srcStride}/{dstStride}: pixel ({x}, {y}) channel {ch} is {actual}, expected {expected}");
                        }
                    }
                }

                // Row padding and the slack after the last row stay untouched.
                int padEnd = x == cols - 1 ? dst.Length : (x + 1) * dstStride;
                for (int i = (x * dstStride) + (rows * channels); i < padEnd; i++)
                {
                    Assert.That(dst[i], Is.EqualTo(0xA5), $"{rows}x{cols}x{channels} strides {srcStride}/{dstStride}: wrote padding byte {i}");
                }
            }
        }
    }

    [Test]
    public void Transposing_twice_gives_back_the_image()
    {
        var rng = new Random(42);
        foreach (int channels in new[] { 1, 3 })
        {
            var src = new byte[301 * 298 * channels];
            rng.NextBytes(src);
            var t = new byte[src.Length];
            var back = new byte[src.Length];
            PixelTranspose.Transpose(src, 298 * channels, 301, 298, channels, t, 301 * channels);
            PixelTranspose.Transpose(t, 301 * channels, 298, 301, channels, back, 298 * channels);
            Assert.That(back, Is.EqualTo(src));
        }
    }

    [Test]
    public void Rejects_spans_too_small_for_the_block()
    {
        var buffer = new byte[100];
        Assert.Throws<ArgumentException>(() => PixelTranspose.Transpose(buffer, 10, 11, 10, 1, new byte[200], 11));
        Assert.Throws<ArgumentException>(() => PixelTranspose.Transpose(buffer, 30, 3, 10, 3, new byte[80], 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => PixelTranspose.Transpose(buffer, 20, 5, 5, 4, new byte[100], 20));
    }
}
