using System.Globalization;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.Imaging;
using MoCo.MLNet;
using MoCo.Onnx;

namespace Consumer;

/// <summary>The README's pipeline on the installed packages: features from paths, MLImage and bytes; a trainer; save;
/// the predictions that a new process must reproduce after loading.</summary>
internal static class Pipeline
{
    private const string ModelFile = "model.zip";
    private const string PredictionsFile = "predictions.txt";

    public static void Run(Checks checks, string images, string encoder, string output)
    {
        Directory.CreateDirectory(output);
        CheckVersions(checks);
        var ml = new MLContext(seed: 0);
        var pngs = Rows(TestImages.Files(images, ".png"));
        var jpegs = Rows(TestImages.Files(images, ".jpg"));

        // Lossless PNGs: the path (our decoder), the bytes (our decoder) and MLImage (SkiaSharp's decoder, through
        // ImageAnalytics) hold the same pixels, so the features must be equal.
        var fromPaths = Features(ml, ml.Transforms.MoCoFeatures("Features", "ImagePath", encoder), pngs);
        var fromBytes = Features(ml, ml.Transforms.LoadRawImageBytes("Bytes", null, "ImagePath")
            .Append(ml.Transforms.MoCoFeatures("Features", "Bytes", encoder)), pngs);
        var fromImages = Features(ml, ml.Transforms.LoadImages("Image", null, "ImagePath")
            .Append(ml.Transforms.MoCoFeatures("Features", "Image", encoder)), pngs);
        checks.That(fromPaths.Length == pngs.Length && fromPaths[0].Length > 0 && fromPaths.All(f => f.All(float.IsFinite)),
            "png features from paths", $"{fromPaths.Length} images x {fromPaths[0].Length} features, all finite");
        checks.That(MaxAbsDifference(fromPaths, fromBytes) == 0, "png bytes equal paths", $"max |diff| {MaxAbsDifference(fromPaths, fromBytes):G3}");
        checks.That(MaxAbsDifference(fromPaths, fromImages) == 0, "png MLImage equals paths", $"max |diff| {MaxAbsDifference(fromPaths, fromImages):G3}");

        // JPEGs: bytes decode as paths do (our decoder); MLImage holds SkiaSharp's decoding, which may differ by a level.
        var jpegPaths = Features(ml, ml.Transforms.MoCoFeatures("Features", "ImagePath", encoder), jpegs);
        var jpegBytes = Features(ml, ml.Transforms.LoadRawImageBytes("Bytes", null, "ImagePath")
            .Append(ml.Transforms.MoCoFeatures("Features", "Bytes", encoder)), jpegs);
        var jpegImages = Features(ml, ml.Transforms.LoadImages("Image", null, "ImagePath")
            .Append(ml.Transforms.MoCoFeatures("Features", "Image", encoder)), jpegs);
        checks.That(MaxAbsDifference(jpegPaths, jpegBytes) == 0, "jpeg bytes equal paths", $"max |diff| {MaxAbsDifference(jpegPaths, jpegBytes):G3}");
        var (maxLevel, meanLevel) = JpegPixelDifference(jpegs.Select(r => r.ImagePath));
        var relative = MaxAbsDifference(jpegPaths, jpegImages) / MaxAbs(jpegPaths);
        var cosine = MinCosine(jpegPaths, jpegImages);
        checks.That(maxLevel <= 8 && cosine >= 0.99, "jpeg MLImage close to paths",
            string.Create(CultureInfo.InvariantCulture, $"SkiaSharp {SkiaVersion()} vs MoCo.Imaging ({ImageDecoder.JpegBackend}): pixels max {maxLevel} levels, mean {meanLevel:F3}; features max |diff| {relative:P2} of max |feature|, min cosine {cosine:F6}"));

        // The README's pipeline on every picture, saved; a new process loads it (mode "load").
        var all = pngs.Concat(jpegs).ToArray();
        var data = ml.Data.LoadFromEnumerable(all);
        var pipeline = ml.Transforms.MoCoFeatures("Features", "ImagePath", encoder)
            .AppendCacheCheckpoint(ml)
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features"))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(data);
        ml.Model.Save(model, data.Schema, Path.Combine(output, ModelFile));
        var engine = ml.Model.CreatePredictionEngine<ImageRow, Prediction>(model);
        var predictions = all.Select(r => engine.Predict(r)).ToArray();
        var correct = all.Zip(predictions).Count(p => p.First.Label == p.Second.PredictedLabel);
        File.WriteAllLines(Path.Combine(output, PredictionsFile), all.Zip(predictions).Select(p => Line(p.First.ImagePath, p.Second)));
        checks.That(predictions.All(p => p.Score.Length == 2 && p.Score.All(float.IsFinite)), "trainer fit and saved",
            $"{ModelFile} {new FileInfo(Path.Combine(output, ModelFile)).Length / 1024} KB; training accuracy {correct}/{all.Length}");
        checks.That(!AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name!.StartsWith("TorchSharp", StringComparison.Ordinal))
                    && !File.Exists(Path.Combine(AppContext.BaseDirectory, "TorchSharp.dll")),
            "no TorchSharp", "neither loaded nor in the output folder");
    }

    public static void LoadAndCompare(Checks checks, string images, string output)
    {
        var expected = File.ReadAllLines(Path.Combine(output, PredictionsFile)).Select(l => l.Split('\t')).ToArray();
        var ml = new MLContext(seed: 1);
        var loaded = ml.Model.Load(Path.Combine(output, ModelFile), out _);
        var engine = ml.Model.CreatePredictionEngine<ImageRow, Prediction>(loaded);
        int labelsEqual = 0;
        double maxScore = 0;
        foreach (var line in expected)
        {
            var prediction = engine.Predict(new ImageRow { ImagePath = line[0] });
            if (prediction.PredictedLabel == line[1]) labelsEqual++;
            var scores = line[2].Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            maxScore = Math.Max(maxScore, scores.Zip(prediction.Score).Max(s => Math.Abs(s.First - s.Second)));
        }

        checks.That(labelsEqual == expected.Length && maxScore <= 1e-5, "saved model loads in a new process with equal predictions",
            string.Create(CultureInfo.InvariantCulture, $"{labelsEqual}/{expected.Length} labels equal, max |score diff| {maxScore:G3} (images under {images})"));
    }

    private static void CheckVersions(Checks checks)
    {
        string Wanted(string key) => typeof(Pipeline).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
        var mlnet = typeof(MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
        var ort = OnnxSession.RuntimeVersion;
        var skia = SkiaVersion();
        checks.That(mlnet == Wanted("MLNetVersion") && ort == Wanted("OnnxRuntimeVersion") && skia.StartsWith(Wanted("SkiaSharpLine") + ".", StringComparison.Ordinal),
            "runs on the versions it asked for", $"ML.NET {mlnet}, ONNX Runtime {ort}, SkiaSharp {skia}");
    }

    private static string SkiaVersion() =>
        typeof(SkiaSharp.SKBitmap).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+', '-')[0];

    private static ImageRow[] Rows(IEnumerable<string> paths) =>
        paths.Select(p => new ImageRow { ImagePath = p, Label = TestImages.LabelOf(p) }).ToArray();

    private static float[][] Features(MLContext ml, IEstimator<ITransformer> estimator, ImageRow[] rows)
    {
        var data = ml.Data.LoadFromEnumerable(rows);
        var scored = estimator.Fit(data).Transform(data);
        return ml.Data.CreateEnumerable<FeatureRow>(scored, reuseRowObject: false).Select(r => r.Features).ToArray();
    }

    /// <summary>The largest and mean absolute difference, in 8-bit levels over R, G and B, between ImageAnalytics'
    /// decoding of each JPEG (MLImage: SkiaSharp, BGRA) and MoCo.Imaging's (RGB).</summary>
    private static (int Max, double Mean) JpegPixelDifference(IEnumerable<string> paths)
    {
        int max = 0;
        long sum = 0, count = 0;
        foreach (var path in paths)
        {
            using var image = MLImage.CreateFromFile(path);
            using var ours = ImageDecoder.Decode(path, new ImageDecodeOptions(Channels: 3));
            var bgra = image.Pixels;
            var rgb = ours.Pixels;
            if (image.Width != ours.Width || image.Height != ours.Height)
                throw new InvalidDataException($"{path}: MLImage {image.Width}x{image.Height}, MoCo.Imaging {ours.Width}x{ours.Height}");
            for (var p = 0; p < image.Width * image.Height; p++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var d = Math.Abs(bgra[(4 * p) + 2 - c] - rgb[(3 * p) + c]);
                    max = Math.Max(max, d);
                    sum += d;
                    count++;
                }
            }
        }

        return (max, (double)sum / count);
    }

    private static double MaxAbsDifference(float[][] a, float[][] b) =>
        a.Length != b.Length ? double.PositiveInfinity : a.Zip(b).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs((double)v.First - v.Second)));

    private static double MaxAbs(float[][] a) => a.Max(r => r.Max(v => Math.Abs((double)v)));

    private static double MinCosine(float[][] a, float[][] b) => a.Zip(b).Min(p =>
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < p.First.Length; i++)
        {
            dot += (double)p.First[i] * p.Second[i];
            na += (double)p.First[i] * p.First[i];
            nb += (double)p.Second[i] * p.Second[i];
        }

        return dot / Math.Sqrt(na * nb);
    });

    private static string Line(string path, Prediction p) =>
        $"{path}\t{p.PredictedLabel}\t{string.Join(',', p.Score.Select(s => s.ToString("R", CultureInfo.InvariantCulture)))}";
}

public sealed class ImageRow
{
    public string ImagePath { get; set; } = "";

    public string Label { get; set; } = "";
}

public sealed class Prediction
{
    public string PredictedLabel { get; set; } = "";

    public float[] Score { get; set; } = [];
}

public sealed class FeatureRow
{
    public float[] Features { get; set; } = [];
}
