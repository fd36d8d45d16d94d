using MoCo.Imaging.Decoding;
using MoCo.Imaging.Tests.Fixtures;

namespace MoCo.Imaging.Tests.Decoding;

/// <summary>
/// Every decoder case against PIL 9.4's decode of the same file (Fixtures/make_decoding_fixtures.py).
/// Tolerances: PNG exact (lossless; 16-bit: 1 level, libpng rounds v/257 where PIL keeps the high
/// byte); JPEG 2 levels max abs (PIL and TurboJPEG are both libjpeg-turbo with the accurate integer
/// IDCT, but builds may differ in SIMD upsampling paths).
/// </summary>
public class ImageDecoderTests
{
    private static string Dir => PythonFixtures.Make("make_decoding_fixtures.py");

    private static void AssertMatchesPil(string name, int tolerance, ImageDecodeOptions? options = null)
    {
        var expected = PythonFixtures.ReadRef(Path.Combine(Dir, name + ".ref"));
        using var image = ImageDecoder.Decode(Path.Combine(Dir, name), options);
        Assert.That((image.Width, image.Height, image.Channels), Is.EqualTo((expected.Width, expected.Height, expected.Channels)), name);
        ReadOnlySpan<byte> actual = image.Pixels;
        int maxDiff = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(actual[i] - expected.Pixels[i]));
        }

        Assert.That(maxDiff, Is.LessThanOrEqualTo(tolerance), $"{name}: max abs difference from PIL");
    }

    [TestCase("rgb.jpg")]
    [TestCase("rgb444.jpg")]
    [TestCase("gray.jpg")]
    [TestCase("progressive.jpg")]
    [TestCase("cmyk.jpg")]
    [TestCase("exif1.jpg")]
    [TestCase("exif2.jpg")]
    [TestCase("exif3.jpg")]
    [TestCase("exif4.jpg")]
    [TestCase("exif5.jpg")]
    [TestCase("exif6.jpg")]
    [TestCase("exif7.jpg")]
    [TestCase("exif8.jpg")]
    public void Jpeg_matches_pil(string name) => AssertMatchesPil(name, 2);

    [TestCase("rgb_as_l.jpg", 1)]
    [TestCase("gray_as_rgb.jpg", 3)]
    public void Jpeg_channel_conversion_matches_pil_convert(string name, int channels) =>
        AssertMatchesPil(name, 2, new ImageDecodeOptions(Channels: channels));

    [TestCase("big_d2.jpg", 2, 125)]
    [TestCase("big_d4.jpg", 4, 62)]
    [TestCase("big_d8.jpg", 8, 31)]
    public void Jpeg_dct_scaling_matches_pil_draft(string name, int denom, int minSide)
    {
        Assert.That(JpegDecoder.ScaledSize(333, 250, minSide), Is.EqualTo(((333 + denom - 1) / denom, (250 + denom - 1) / denom)));
        AssertMatchesPil(name, 2, new ImageDecodeOptions(MinShorterSide: minSide));
    }

    [Test]
    public void Dct_scaling_never_goes_below_the_requested_shorter_side()
    {
        Assert.Multiple(() =>
        {
            Assert.That(JpegDecoder.ScaledSize(333, 250, 126), Is.EqualTo((333, 250)));
            Assert.That(JpegDecoder.ScaledSize(333, 250, 64), Is.EqualTo((167, 125)));
            Assert.That(JpegDecoder.ScaledSize(333, 250, 0), Is.EqualTo((333, 250)));
        });
    }

    [TestCase("rgb.png")]
    [TestCase("rgba.png")]
    [TestCase("gray.png")]
    [TestCase("gray_alpha.png")]
    [TestCase("palette.png")]
    [TestCase("palette_trns.png")]
    [TestCase("bilevel.png")]
    public void Png_matches_pil_exactly(string name) => AssertMatchesPil(name, 0);

    [TestCase("rgb16.png")]
    [TestCase("gray16.png")]
    public void Png_16_bit_reads_as_the_high_byte_within_one(string name) => AssertMatchesPil(name, 1);

    [TestCase("bad_empty.jpg", "empty")]
    [TestCase("bad_text.png", "not a JPEG or PNG")]
    [TestCase("bad_truncated.jpg", "")]
    [TestCase("bad_truncated.png", "")]
    [TestCase("bad_header_only.jpg", "")]
    [TestCase("bad_absurd.png", "absurd dimensions")]
    public void Bad_files_raise_an_exception_naming_the_file(string name, string reason)
    {
        string path = Path.Combine(Dir, name);
        var ex = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(path).Dispose());
        Assert.That(ex!.Message, Does.Contain(path));
        Assert.That(ex.Message, Does.Contain(reason));
    }

    [Test]
    public void Max_pixels_rejects_a_jpeg_before_decoding()
    {
        string path = Path.Combine(Dir, "big.jpg");
        var ex = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(path, new ImageDecodeOptions(MaxPixels: 1000)).Dispose());
        Assert.That(ex!.Message, Does.Contain("333x250"));
    }

    [Test]
    public void Exif_orientation_can_be_ignored()
    {
        using var image = ImageDecoder.Decode(Path.Combine(Dir, "exif6.jpg"), new ImageDecodeOptions(ApplyExifOrientation: false));
        Assert.That((image.Width, image.Height), Is.EqualTo((67, 45)));
    }
}
