using MoCo.Imaging.Datasets;
using MoCo.Imaging.Decoding;
using MoCo.Imaging.Loading;
using MoCo.Imaging.Native;
using MoCo.Imaging.Tests.Fixtures;
using MoCo.Imaging.Transforms;

namespace MoCo.Imaging.Tests.Decoding;

/// <summary>
/// Which decoder runs: libturbojpeg for JPEG where it loads (build/setup.sh installs it), SkiaSharp when the resolver
/// cannot load it (hidden here, as on Windows or macOS) and always for the other formats.
/// </summary>
[NonParallelizable] // hiding a library is process-wide
public class DecoderSelectionTests
{
    private static string Dir => PythonFixtures.Make("make_decoding_fixtures.py");

    [Test]
    public void Auto_decodes_jpeg_with_the_system_libturbojpeg_when_it_loads()
    {
        Assert.That(NativeLibraryResolver.IsAvailable(NativeLibraryResolver.TurboJpeg), "libturbojpeg0 is installed by build/setup.sh");
        Assert.That(ImageDecoder.JpegBackend, Is.EqualTo(DecoderBackend.TurboJpeg));
    }

    [TestCase("Png")]
    [TestCase("WebP")]
    [TestCase("Gif")]
    [TestCase("Bmp")]
    public void Every_other_format_goes_to_skia_whatever_is_asked(string name)
    {
        var format = Enum.Parse<ImageFormat>(name);
        foreach (var requested in new[] { DecoderBackend.Auto, DecoderBackend.TurboJpeg, DecoderBackend.Skia })
        {
            Assert.That(ImageDecoder.Choose(format, requested), Is.EqualTo(DecoderBackend.Skia), requested.ToString());
        }
    }

    [Test]
    public void Without_libturbojpeg_auto_falls_back_to_skia_and_still_matches_pil()
    {
        using (NativeLibraryResolver.Hide(NativeLibraryResolver.TurboJpeg))
        {
            Assert.That(ImageDecoder.JpegBackend, Is.EqualTo(DecoderBackend.Skia));
            foreach (var name in new[] { "rgb.jpg", "cmyk.jpg", "exif6.jpg" })
            {
                var expected = PythonFixtures.ReadRef(Path.Combine(Dir, name + ".ref"));
                using var image = ImageDecoder.Decode(Path.Combine(Dir, name));
                Assert.That((image.Width, image.Height, image.Channels), Is.EqualTo((expected.Width, expected.Height, expected.Channels)), name);
                Assert.That(PixelDifference.Of(image.Pixels, expected.Pixels).Max, Is.Zero, name);
            }
        }

        Assert.That(ImageDecoder.JpegBackend, Is.EqualTo(DecoderBackend.TurboJpeg), "restored after the scope");
    }

    [Test]
    public void Asking_for_turbojpeg_without_it_says_what_is_missing()
    {
        using (NativeLibraryResolver.Hide(NativeLibraryResolver.TurboJpeg))
        {
            var ex = Assert.Throws<DllNotFoundException>(() => ImageDecoder.Decode(Path.Combine(Dir, "rgb.jpg"), new ImageDecodeOptions(Decoder: DecoderBackend.TurboJpeg)).Dispose());
            Assert.That(ex!.Message, Does.Contain("libturbojpeg0").And.Contain("SkiaSharp"));

            // A PNG never needed it.
            using var png = ImageDecoder.Decode(Path.Combine(Dir, "rgb.png"), new ImageDecodeOptions(Decoder: DecoderBackend.TurboJpeg));
            Assert.That(png.Width, Is.EqualTo(67));
        }
    }

    [Test]
    public void Without_libturbojpeg_the_loader_decodes_with_skia_and_skips_bad_files()
    {
        string dir = Directory.CreateTempSubdirectory("moco-fallback-").FullName;
        try
        {
            File.Copy(Path.Combine(Dir, "rgb.jpg"), Path.Combine(dir, "0.jpg"));
            File.Copy(Path.Combine(Dir, "bad_truncated.jpg"), Path.Combine(dir, "1-broken.jpg"));
            File.Copy(Path.Combine(Dir, "big.jpg"), Path.Combine(dir, "2.jpg"));
            File.Copy(Path.Combine(Dir, "bad_header_only.jpg"), Path.Combine(dir, "3-broken.jpg"));
            File.Copy(Path.Combine(Dir, "lossy.webp"), Path.Combine(dir, "4.webp"));
            var ds = ImageDatasets.FromFolder(dir, classSubfolders: false);
            var options = new LoaderOptions(BatchSize: 8, Workers: 2, DropLast: false, Shuffle: false);

            float[] expected = Views(ImageLoader.ForExtraction(ds, new EvalTransform(40, 32), 3, options with { Decoder = DecoderBackend.TurboJpeg }), out var skippedWithTurbo);
            float[] actual;
            IReadOnlyCollection<(int Index, string Sample, string Reason)> skipped;
            using (NativeLibraryResolver.Hide(NativeLibraryResolver.TurboJpeg))
            {
                var loader = ImageLoader.ForExtraction(ds, new EvalTransform(40, 32), 3, options);
                actual = Views(loader, out skipped);
            }

            Assert.That(skipped.Select(s => Path.GetFileName(s.Sample)).Order(StringComparer.Ordinal), Is.EqualTo(new[] { "1-broken.jpg", "3-broken.jpg" }));
            Assert.That(skipped.Select(s => s.Index).Order(), Is.EqualTo(skippedWithTurbo.Select(s => s.Index).Order()));
            Assert.That(actual, Is.EqualTo(expected), "the same views from SkiaSharp as from TurboJPEG");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static float[] Views(ImageLoader loader, out IReadOnlyCollection<(int Index, string Sample, string Reason)> skipped)
    {
        var views = new List<float>();
        foreach (var batch in loader.Epoch(0))
        {
            using (batch)
            {
                Assert.That(batch.Indices.ToArray(), Is.EqualTo(new[] { 0, 2, 4 }));
                views.AddRange(batch.View(0).ToArray());
            }
        }

        skipped = [.. loader.Skipped];
        return [.. views];
    }
}
