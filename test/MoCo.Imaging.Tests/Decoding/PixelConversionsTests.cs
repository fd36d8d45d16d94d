using MoCo.Imaging.Decoding;

namespace MoCo.Imaging.Tests.Decoding;

/// <summary>The SSSE3 RGBA-to-RGB shuffle against a plain loop, on sizes that leave every tail length.</summary>
public class PixelConversionsTests
{
    [TestCase(1)]
    [TestCase(5)]
    [TestCase(6)]
    [TestCase(7)]
    [TestCase(8)]
    [TestCase(9)]
    [TestCase(1001)]
    public void Rgba_to_rgb_keeps_the_colour_bytes_in_order(int pixels)
    {
        var rng = new Random(pixels);
        byte[] rgba = new byte[4 * pixels];
        rng.NextBytes(rgba);
        byte[] rgb = new byte[(3 * pixels) + 5];
        rgb.AsSpan().Fill(0xAB);
        PixelConversions.RgbaToRgb(rgba, rgb);

        byte[] expected = new byte[3 * pixels];
        for (int i = 0; i < pixels; i++)
        {
            expected[3 * i] = rgba[4 * i];
            expected[(3 * i) + 1] = rgba[(4 * i) + 1];
            expected[(3 * i) + 2] = rgba[(4 * i) + 2];
        }

        Assert.That(rgb[..(3 * pixels)], Is.EqualTo(expected));
        Assert.That(rgb[(3 * pixels)..], Is.All.EqualTo(0xAB), "nothing written past the image");
    }
}
