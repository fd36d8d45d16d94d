using MoCo.Imaging.Decoding;
using MoCo.Imaging.Tests.Fixtures;

namespace MoCo.Imaging.Tests.Decoding;

/// <summary>
/// Every fixture through each decoder against PIL 9.4's decode of the same file (Fixtures/make_decoding_fixtures.py),
/// with tolerance 0: measured, both JPEG paths (Debian's libturbojpeg 2.1.5 and the libjpeg-turbo inside SkiaSharp,
/// accurate integer IDCT: 2.88.9's 2.1.5.1 and, since the move to ML.NET 6, 3.119.4's) and SkiaSharp's PNG/WebP/BMP/GIF codecs give PIL's bytes exactly, 16-bit PNGs and
/// PNGs with a gAMA chunk included (docs/imaging.md). The TurboJPEG fixture runs PNG and the other formats through
/// SkiaSharp too, as <see cref="DecoderBackend.TurboJpeg"/> does.
/// </summary>
[TestFixture(DecoderBackend.TurboJpeg)]
[TestFixture(DecoderBackend.Skia)]
public class ImageDecoderTests(DecoderBackend backend)
{
    private static string Dir => PythonFixtures.Make("make_decoding_fixtures.py");

    private ImageDecodeOptions Options(int channels = 0, int minShorterSide = 0) =>
        new(Channels: channels, MinShorterSide: minShorterSide, Decoder: backend);

    private static void AssertMatchesPil(string name, ImageDecodeOptions options)
    {
        var expected = PythonFixtures.ReadRef(Path.Combine(Dir, name + ".ref"));
        using var image = ImageDecoder.Decode(Path.Combine(Dir, name), options);
        Assert.That((image.Width, image.Height, image.Channels), Is.EqualTo((expected.Width, expected.Height, expected.Channels)), name);
        var diff = PixelDifference.Of(image.Pixels, expected.Pixels);
        Assert.That(diff.Max, Is.Zero, $"{name} through {options.Decoder}: {diff} against PIL");
    }

    [TestCase("rgb.jpg")]
    [TestCase("rgb444.jpg")]
    [TestCase("rgb422.jpg")]
    [TestCase("gray.jpg")]
    [TestCase("progressive.jpg")]
    [TestCase("gray_progressive.jpg")]
    [TestCase("cmyk.jpg")]
    [TestCase("big_full.jpg")]
    [TestCase("big420_q75.jpg")]
    [TestCase("big_progressive.jpg")]
    [TestCase("exif1.jpg")]
    [TestCase("exif2.jpg")]
    [TestCase("exif3.jpg")]
    [TestCase("exif4.jpg")]
    [TestCase("exif5.jpg")]
    [TestCase("exif6.jpg")]
    [TestCase("exif7.jpg")]
    [TestCase("exif8.jpg")]
    public void Jpeg_matches_pil(string name) => AssertMatchesPil(name, Options());

    [TestCase("rgb_as_l.jpg", 1)]
    [TestCase("gray_as_rgb.jpg", 3)]
    public void Jpeg_channel_conversion_matches_pil_convert(string name, int channels) =>
        AssertMatchesPil(name, Options(channels));

    [TestCase("big_d2.jpg", 2, 125)]
    [TestCase("big_d4.jpg", 4, 62)]
    [TestCase("big_d8.jpg", 8, 31)]
    public void Jpeg_dct_scaling_matches_pil_draft(string name, int denom, int minSide)
    {
        Assert.That(DctScale.Size(333, 250, DctScale.Denominator(333, 250, minSide)), Is.EqualTo(((333 + denom - 1) / denom, (250 + denom - 1) / denom)));
        AssertMatchesPil(name, Options(minShorterSide: minSide));
    }

    [TestCase("rgb.png")]
    [TestCase("rgba.png")]
    [TestCase("gray.png")]
    [TestCase("gray_trns.png")]
    [TestCase("palette.png")]
    [TestCase("palette4.png")]
    [TestCase("palette_trns.png")]
    [TestCase("interlaced.png")]
    [TestCase("gamma1.png")]
    [TestCase("rgb16.png")]
    [TestCase("rgba16.png")]
    [TestCase("gray16.png")]
    public void Png_matches_pil(string name) => AssertMatchesPil(name, Options());

    [TestCase("gray_alpha.png")]
    [TestCase("gray_alpha16.png")]
    [TestCase("bilevel.png")]
    public void Gray_png_with_alpha_or_one_bit_stays_gray_as_pil_convert_l(string name) => AssertMatchesPil(name, Options(channels: 1));

    [Test]
    public void Gray_png_with_alpha_keeps_one_channel_by_default()
    {
        using var image = ImageDecoder.Decode(Path.Combine(Dir, "gray_alpha.png"), Options());
        Assert.That(image.Channels, Is.EqualTo(1));
    }

    [TestCase("lossless.webp")]
    [TestCase("lossy.webp")]
    [TestCase("rgb.bmp")]
    [TestCase("palette.gif")]
    public void Other_formats_decode_through_skia_as_pil(string name) => AssertMatchesPil(name, Options());

    [TestCase("bad_empty.jpg", "empty")]
    [TestCase("bad_text.png", "unrecognised signature")]
    [TestCase("bad_truncated.jpg", "")]
    [TestCase("bad_truncated.png", "")]
    [TestCase("bad_header_only.jpg", "")]
    [TestCase("bad_absurd.png", "absurd dimensions")]
    [TestCase("bad_truncated.webp", "")]
    public void Bad_files_raise_an_exception_naming_the_file(string name, string reason)
    {
        string path = Path.Combine(Dir, name);
        var ex = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(path, Options()).Dispose());
        Assert.That(ex!.Message, Does.Contain(path));
        Assert.That(ex.Message, Does.Contain(reason));
    }

    [Test]
    public void A_missing_file_is_a_decode_error_naming_it()
    {
        string path = Path.Combine(Dir, "no-such-file.jpg");
        var ex = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(path, Options()).Dispose());
        Assert.That(ex!.Message, Does.Contain(path));
    }

    [TestCase("big.jpg", "333x250")]
    [TestCase("rgb.png", "67x45")]
    public void Max_pixels_rejects_an_image_before_decoding(string name, string size)
    {
        string path = Path.Combine(Dir, name);
        var ex = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(path, Options() with { MaxPixels = 1000 }).Dispose());
        Assert.That(ex!.Message, Does.Contain(size));
    }

    [Test]
    public void Exif_orientation_can_be_ignored()
    {
        using var image = ImageDecoder.Decode(Path.Combine(Dir, "exif6.jpg"), Options() with { ApplyExifOrientation = false });
        Assert.That((image.Width, image.Height), Is.EqualTo((67, 45)));
    }

    [Test]
    public void Bytes_decode_as_the_file_does()
    {
        string path = Path.Combine(Dir, "exif6.jpg");
        using var fromFile = ImageDecoder.Decode(path, Options());
        using var fromBytes = ImageDecoder.Decode(File.ReadAllBytes(path), "in memory", Options());
        Assert.That(fromBytes.Pixels.ToArray(), Is.EqualTo(fromFile.Pixels.ToArray()));
    }
}
