using MoCo.MLNet.Runtime;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using Microsoft.ML.Transforms.Onnx;
using MoCo.Imaging;
using MoCo.Imaging.Transforms;
using MoCo.Onnx;

namespace MoCo.MLNet.Bench;

/// <summary>Images per second (wall clock) and the process's CPU milliseconds per image (all threads, spinning included).</summary>
internal readonly record struct Rate(double PerSecond, double CpuMsPerImage);

/// <summary>Wall clock and process CPU time from <see cref="Start"/> to <see cref="Stop"/>.</summary>
internal readonly record struct Clock(long Ticks, TimeSpan Cpu)
{
    public static Clock Start() => new(Stopwatch.GetTimestamp(), Process.GetCurrentProcess().TotalProcessorTime);

    public Rate Stop(int images)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - Cpu;
        return new Rate(images / Stopwatch.GetElapsedTime(Ticks).TotalSeconds, cpu.TotalMilliseconds / images);
    }
}

/// <summary>One image row: the file name, relative to the JPEG folder.</summary>
internal sealed class ImageRow
{
    public string Path { get; set; } = "";
}

/// <summary>
/// What one benchmark run shares: the encoder file, the images, the threads and the batch, and the encoder's
/// preprocessing (crop side, resize, channels: from its metadata).
/// </summary>
internal sealed record Setup(string ModelPath, string ImageFolder, string[] Files, int Threads, int BatchSize, int DnnImages, MoCoPreprocessing Preprocessing)
{
    /// <summary>The crop side the encoder takes (224 for the ImageNet-style case, 28 for the Fashion-MNIST one).</summary>
    public int Size => Preprocessing.CropSize;

    public int Channels => Preprocessing.Channels;

    // ImageNet's per-channel mean and std folded into ExtractPixels' single offset and scale ((v − offset)·scale):
    // the means of the three channels' values. The values differ a little from the exact normalisation; the work does not.
    public const float Offset = 255f * 0.449f;
    public const float Scale = 1f / (255f * 0.226f);
}

/// <summary>
/// The paths compared, each timed over the same files after a warm-up batch (session creation and the first run are
/// left out). Each returns images per second.
/// </summary>
internal static class Paths
{
    /// <summary>MoCoFeatures end to end: path column → decode, Resize(256), CenterCrop(224), normalise, batched ORT.</summary>
    public static Rate MoCoFeatures(MLContext ml, Setup s, int decodeThreads, int intraOpThreads, bool spinning = false,
        DecodePlacementMode placement = DecodePlacementMode.Auto)
    {
        var options = new MoCoFeaturesOptions
        {
            OutputColumnName = "Features",
            InputColumnName = nameof(ImageRow.Path),
            ModelPath = s.ModelPath,
            ImageFolder = s.ImageFolder,
            BatchSize = s.BatchSize,
            DecodeThreads = decodeThreads,
            IntraOpThreads = intraOpThreads,
            OrtSpinning = spinning,
            DecodePlacement = placement,
        };
        using var transformer = ml.Transforms.MoCoFeatures(options).Fit(Rows(ml, s.Files.Take(1)));
        return Time(ml, transformer, s.Files, s.BatchSize);
    }

    /// <summary>ML.NET's own pipeline on the same encoder: LoadImages → ResizeImages → ExtractPixels → ApplyOnnxModel (one row per ORT call).</summary>
    public static Rate ApplyOnnxModel(MLContext ml, Setup s)
    {
        var pipeline = ml.Transforms.LoadImages("Image", s.ImageFolder, nameof(ImageRow.Path))
            .Append(ml.Transforms.ResizeImages("Image", s.Size, s.Size, "Image",
                ImageResizingEstimator.ResizingKind.IsoCrop, ImageResizingEstimator.Anchor.Center))
            .Append(ml.Transforms.ExtractPixels("image", "Image", interleavePixelColors: false, offsetImage: Setup.Offset, scaleImage: Setup.Scale))
            .Append(ml.Transforms.ApplyOnnxModel(new OnnxOptions
            {
                ModelFile = s.ModelPath,
                InputColumns = ["image"],
                OutputColumns = ["features"],
                IntraOpNumThreads = s.Threads,
                InterOpNumThreads = 1,
            }));
        var transformer = pipeline.Fit(Rows(ml, s.Files.Take(1)));
        try
        {
            return Time(ml, transformer, s.Files, s.BatchSize, "features");
        }
        finally
        {
            (transformer as IDisposable)?.Dispose();
        }
    }

    /// <summary>ApplyOnnxModel's pipeline without the model: LoadImages → ResizeImages → ExtractPixels, read on one cursor.</summary>
    public static Rate MLNetImagesOnly(MLContext ml, Setup s)
    {
        var pipeline = ml.Transforms.LoadImages("Image", s.ImageFolder, nameof(ImageRow.Path))
            .Append(ml.Transforms.ResizeImages("Image", s.Size, s.Size, "Image",
                ImageResizingEstimator.ResizingKind.IsoCrop, ImageResizingEstimator.Anchor.Center))
            .Append(ml.Transforms.ExtractPixels("image", "Image", interleavePixelColors: false, offsetImage: Setup.Offset, scaleImage: Setup.Scale));
        return Time(ml, pipeline.Fit(Rows(ml, s.Files.Take(1))), s.Files, s.BatchSize, "image");
    }

    /// <summary>ML.NET's pretrained ResNet-18 (its own model, fixed batch 1, ORT's default threads): a reference point.</summary>
    public static Rate DnnFeaturizeImage(MLContext ml, Setup s)
    {
        var pipeline = ml.Transforms.LoadImages("Image", s.ImageFolder, nameof(ImageRow.Path))
            .Append(ml.Transforms.ResizeImages("Image", s.Size, s.Size, "Image",
                ImageResizingEstimator.ResizingKind.IsoCrop, ImageResizingEstimator.Anchor.Center))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image"))
            .Append(ml.Transforms.DnnFeaturizeImage("Features", m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn), "Pixels"));
        var transformer = pipeline.Fit(Rows(ml, s.Files.Take(1)));
        try
        {
            return Time(ml, transformer, s.Files.Take(s.DnnImages).ToArray(), s.BatchSize);
        }
        finally
        {
            (transformer as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// ONNX Runtime alone through MoCo.Onnx, the baseline every ratio is taken against:
    /// <see cref="OnnxSession.RunInto(ReadOnlySpan{float}, ReadOnlySpan{long}, Span{float})"/> on the bare encoder with a
    /// pre-made float NCHW batch (pre-decoded, preprocessed), ORT's default spinning.
    /// </summary>
    public static Rate OrtAlone(Setup s, int batch, bool spinning = true)
    {
        using var session = OnnxSession.Open(s.ModelPath, new MoCo.Onnx.OnnxSessionOptions { IntraOpThreads = s.Threads, InterOpThreads = 1, AllowSpinning = spinning });
        var dim = (int)session.Outputs[0].Shape[^1];
        var rng = new Random(0);
        var input = new float[batch * s.Channels * s.Size * s.Size];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (float)((rng.NextDouble() * 4) - 2);
        }

        long[] shape = [batch, s.Channels, s.Size, s.Size];
        var output = new float[batch * dim];
        session.RunInto(input, shape, output);
        var batches = (s.Files.Length + batch - 1) / batch;
        var clock = Clock.Start();
        for (var b = 0; b < batches; b++)
        {
            session.RunInto(input, shape, output);
        }

        return clock.Stop(batches * batch);
    }

    /// <summary>
    /// The decode and preprocessing MoCoFeatures does before ORT (decode as PIL, Resize, CenterCrop to HWC bytes) on
    /// <see cref="Setup.Threads"/> threads, no ORT: where the time goes.
    /// </summary>
    public static Rate DecodeOnly(Setup s)
    {
        var transform = new EvalTransform(s.Preprocessing.ResizeShorterSide, s.Size);
        var decode = new ImageDecodeOptions(Channels: s.Channels);
        var crops = new byte[s.Files.Length][];
        void One(int i)
        {
            using var image = ImageDecoder.Decode(System.IO.Path.Combine(s.ImageFolder, s.Files[i]), decode);
            using var crop = transform.ApplyBytes(image);
            crops[i] = crop.Pixels.ToArray();
        }

        One(0);
        var clock = Clock.Start();
        Parallel.For(0, s.Files.Length, new ParallelOptions { MaxDegreeOfParallelism = s.Threads }, One);
        return clock.Stop(s.Files.Length);
    }

    private static IDataView Rows(MLContext ml, IEnumerable<string> files) =>
        ml.Data.LoadFromEnumerable(files.Select(f => new ImageRow { Path = f }).ToArray());

    /// <summary>Warms up on one batch, then reads every row's features through a plain cursor and times that.</summary>
    private static Rate Time(MLContext ml, ITransformer transformer, string[] files, int warmup, string column = "Features")
    {
        Drain(transformer.Transform(Rows(ml, files.Take(warmup))), column);
        var data = transformer.Transform(Rows(ml, files));
        var clock = Clock.Start();
        var n = Drain(data, column);
        var rate = clock.Stop(n);
        if (n != files.Length)
        {
            throw new InvalidOperationException($"read {n} rows of {files.Length}");
        }

        return rate;
    }

    private static int Drain(IDataView data, string column)
    {
        var col = data.Schema[column];
        using var cursor = data.GetRowCursor([col]);
        var getter = cursor.GetGetter<VBuffer<float>>(col);
        VBuffer<float> value = default;
        var n = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            var values = value.GetValues();
            if (values.Length == 0 || !float.IsFinite(values[0]))
            {
                throw new InvalidOperationException($"{column} of row {n}: {values.Length} values, first {(values.Length > 0 ? values[0] : float.NaN)}");
            }

            n++;
        }

        return n;
    }
}
