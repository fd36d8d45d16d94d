using MoCo.Imaging.Encoders;

namespace MoCo.Imaging.Tests.Encoders;

// Reference: libpng (through ImageDecoder) reads back exactly the pixels written, for gray and RGB, odd sizes.
public class PngEncoderTests
{
    [TestCase(1, 28, 28)]
    [TestCase(1, 1, 1)]
    [TestCase(3, 17, 5)]
    [TestCase(3, 64, 33)]
    public void Libpng_reads_back_the_pixels_written(int channels, int width, int height)
    {
        var rng = new Random(width * 31 + height);
        var pixels = new byte[width * height * channels];
        rng.NextBytes(pixels);
        var png = PngEncoder.Encode(pixels, width, height, channels);
        using var decoded = ImageDecoder.Decode(png, "encoded.png", new ImageDecodeOptions(Channels: channels));
        Assert.That((decoded.Width, decoded.Height, decoded.Channels), Is.EqualTo((width, height, channels)));
        Assert.That(decoded.Pixels.ToArray(), Is.EqualTo(pixels));
    }

    [Test]
    public void Bad_arguments_are_refused()
    {
        Assert.That(() => PngEncoder.Encode(new byte[10], 4, 4, 1), Throws.ArgumentException);
        Assert.That(() => PngEncoder.Encode(new byte[64], 4, 4, 4), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
