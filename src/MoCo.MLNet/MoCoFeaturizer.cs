using System.Security.Cryptography;
using MoCo.MLNet.Input;
using MoCo.MLNet.Runtime;

namespace MoCo.MLNet;

/// <summary>
/// Frozen features of a MoCo encoder (an ONNX file from <c>moco export</c>) outside an ML.NET pipeline: images in,
/// float vectors out, preprocessed exactly as MoCoFeatures does (torchvision's evaluation transform, through
/// MoCo.Imaging), batched over one ONNX Runtime session. <c>MoCoFeatures</c>' cursor and <c>moco extract</c> run
/// through it. Thread-safe: any number of threads may call <see cref="Featurize"/> and <see cref="FeaturizeAll"/> at
/// once. Dispose it to release the session.
/// </summary>
/// <example>
/// <code>
/// using var featurizer = MoCoFeaturizer.Open("encoder.onnx");
/// foreach (var batch in featurizer.FeaturizeAll(paths.Select(MoCoImageInput.FromFile)))
/// {
///     for (var i = 0; i &lt; batch.Count; i++)
///     {
///         if (batch.Error(i) is { } error) Console.WriteLine($"{batch.Source(i)}: {error}");
///         else Save(batch.Offset + i, batch.Features(i));   // D floats, valid until the next batch
///     }
/// }
/// </code>
/// </example>
public sealed class MoCoFeaturizer : IDisposable
{
    private readonly FeaturizerRuntime _runtime;
    private readonly MoCoBadImagePolicy _badImages;
    private readonly Lazy<string> _sha256;

    internal MoCoFeaturizer(FeaturizerRuntime runtime, MoCoBadImagePolicy badImages, Func<byte[]>? modelBytes)
    {
        _runtime = runtime;
        _badImages = badImages;
        _sha256 = new Lazy<string>(() => modelBytes is null
            ? throw new InvalidOperationException("This featurizer was made from a fitted MoCoFeatures step; its encoder file is not at hand.")
            : Convert.ToHexStringLower(SHA256.HashData(modelBytes())));
    }

    /// <summary>Values per image (the encoder's feature dimension).</summary>
    public int FeatureDimension => _runtime.FeatureDimension;

    /// <summary>The preprocessing applied to images (from the options, else the model's <c>moco.*</c> metadata).</summary>
    public MoCoPreprocessing Preprocessing => _runtime.Step.Preprocessing;

    /// <summary>Images per ONNX Runtime call (<see cref="MoCoFeaturesOptions.BatchSize"/>).</summary>
    public int BatchSize => _runtime.BatchSize;

    /// <summary>SHA-256 of the encoder as given (lowercase hex): what a store of features records to name its model.</summary>
    public string ModelSha256 => _sha256.Value;

    /// <summary>Opens an encoder with the default settings (batch 32, one decode and one ORT thread per core, CPU, bad images throw).</summary>
    /// <param name="modelPath">The encoder (.onnx with <c>moco.*</c> preprocessing metadata, e.g. from <c>moco export</c>).</param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="ArgumentException">The model does not fit (its inputs, outputs or preprocessing), with what is wrong.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid ONNX model.</exception>
    public static MoCoFeaturizer Open(string modelPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        return Open(new MoCoFeaturesOptions { ModelPath = modelPath });
    }

    /// <summary>
    /// Opens an encoder with MoCoFeatures' settings: <see cref="MoCoFeaturesOptions.ModelPath"/> or
    /// <see cref="MoCoFeaturesOptions.ModelBytes"/>, the batch size, decode and ORT threads, GPU, bad-image policy,
    /// preprocessing, image folder and scaled JPEG decoding (the column names are not used).
    /// </summary>
    /// <param name="options">The settings; see <see cref="MoCoFeaturesOptions"/> for the defaults.</param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="ArgumentException">The options or the model do not fit, with what is wrong.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid ONNX model.</exception>
    /// <exception cref="NotSupportedException">CUDA was asked for where it cannot run (without <see cref="MoCoFeaturesOptions.FallbackToCpu"/>).</exception>
    public static MoCoFeaturizer Open(MoCoFeaturesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1, "MoCoFeaturesOptions.BatchSize");
        ArgumentOutOfRangeException.ThrowIfNegative(options.DecodeThreads, "MoCoFeaturesOptions.DecodeThreads");
        ArgumentOutOfRangeException.ThrowIfNegative(options.IntraOpThreads, "MoCoFeaturesOptions.IntraOpThreads");
        var copy = MoCoFeaturesEstimator.Copy(options);
        var model = EncoderModel.Load(copy);
        // The graph for images (paths, bytes and decoded images all become uint8 crops); column names only label its ends.
        var step = FittedStep.Create(model, ImageColumnKind.Path, new StepSettings("image", "features", copy.ImageFolder, copy.BadImages, copy.ScaledJpegDecode));
        return new MoCoFeaturizer(new FeaturizerRuntime(step, copy), copy.BadImages, () => model.Bytes);
    }

    /// <summary>
    /// Features of <paramref name="images"/>, in order: row i of the result is image i's
    /// <see cref="FeatureDimension"/> values. Runs in batches of <see cref="BatchSize"/>, decoding on the decode threads.
    /// A bad image (unreadable, not an image, too large) throws, or gives a NaN row with
    /// <see cref="MoCoBadImagePolicy.NaN"/>.
    /// </summary>
    /// <param name="images">The images.</param>
    /// <returns>A [images.Count, FeatureDimension] array.</returns>
    /// <exception cref="InvalidDataException">An image is bad and the policy is <see cref="MoCoBadImagePolicy.Throw"/>; the message names it.</exception>
    public float[,] Featurize(IReadOnlyList<MoCoImageInput> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var d = FeatureDimension;
        var result = new float[images.Count, d];
        if (images.Count == 0)
        {
            return result;
        }

        var batch = BatchFeaturizer.NewBatch(_runtime, Math.Min(images.Count, BatchSize));
        try
        {
            for (var start = 0; start < images.Count; start += batch.Capacity)
            {
                var n = Math.Min(batch.Capacity, images.Count - start);
                for (var i = 0; i < n; i++)
                {
                    images[start + i].CopyTo(batch.Slots[i]);
                }

                batch.Count = n;
                batch.Offset = start;
                BatchFeaturizer.Prepare(_runtime, batch);
                BatchFeaturizer.Infer(_runtime, batch);
                for (var i = 0; i < n; i++)
                {
                    if (batch.Errors[i] is { } error && _badImages == MoCoBadImagePolicy.Throw)
                    {
                        throw BadImage($"image {start + i} {batch.Sources[i]}", error);
                    }
                }

                batch.AllFeatures.CopyTo(System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref result[start, 0], n * d));
            }
        }
        finally
        {
            batch.ReleaseSlots();
        }

        return result;
    }

    /// <summary>
    /// Features of a sequence of images of any length, read ahead in the background: while the caller works on one
    /// batch, ORT runs on the next and the one after is decoded. Batches come in input order, each of
    /// <see cref="BatchSize"/> inputs but the last; nothing runs until the first batch is asked for, and leaving the
    /// loop (or disposing the enumerator) stops the work at once. Memory stays flat: a few batches are recycled, so a
    /// batch is valid until the next one is asked for. Bad images are not thrown here: their rows have NaN features
    /// and <see cref="MoCoFeatureBatch.Error"/> says why, whatever the policy.
    /// </summary>
    /// <param name="images">The images, enumerated once on a background thread, each read before the next is asked for.</param>
    /// <returns>The batches.</returns>
    /// <exception cref="InvalidOperationException">Enumerating the inputs or running ORT failed (the cause is the inner exception), after the batches finished before.</exception>
    public IEnumerable<MoCoFeatureBatch> FeaturizeAll(IEnumerable<MoCoImageInput> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        return Stream(images);
    }

    /// <summary>Releases the ONNX Runtime session (a run in flight finishes first).</summary>
    public void Dispose() => _runtime.Dispose();

    /// <summary>The exception for a bad image under <see cref="MoCoBadImagePolicy.Throw"/>.</summary>
    internal static InvalidDataException BadImage(string what, string error) => new(
        $"MoCoFeatures: cannot read the {what}: {error} " +
        "(set MoCoFeaturesOptions.BadImages = MoCoBadImagePolicy.NaN to give such rows NaN features and filter them out).");

    private IEnumerable<MoCoFeatureBatch> Stream(IEnumerable<MoCoImageInput> images)
    {
        using var pipeline = new ReadAheadPipeline(_runtime, images, BatchSize);
        while (pipeline.Take() is { } batch)
        {
            yield return batch;
            pipeline.Return(batch);
        }
    }
}
