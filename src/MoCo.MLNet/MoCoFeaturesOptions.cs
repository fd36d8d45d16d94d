namespace MoCo.MLNet;

/// <summary>
/// Settings of <c>mlContext.Transforms.MoCoFeatures(options)</c> and of <see cref="MoCoFeaturizer.Open(MoCoFeaturesOptions)"/>
/// (which ignores the column names). Only <see cref="OutputColumnName"/> and a model are required.
/// </summary>
public sealed class MoCoFeaturesOptions
{
    /// <summary>The features column to add: a known-size <c>Vector&lt;Single&gt;</c> of the encoder's feature dimension.</summary>
    public string OutputColumnName { get; set; } = "Features";

    /// <summary>
    /// The image column; default null = <see cref="OutputColumnName"/>. Its type decides how it is read: text (an image
    /// path, relative to <see cref="ImageFolder"/> when set), <c>MLImage</c> (from <c>LoadImages</c>), <c>Vector&lt;Byte&gt;</c>
    /// (the encoded file, from <c>LoadRawImageBytes</c>), or a known-size <c>Vector&lt;Single&gt;</c> already preprocessed
    /// (C·H·W values, normalised).
    /// </summary>
    public string? InputColumnName { get; set; }

    /// <summary>The encoder (.onnx, e.g. from <c>moco export</c>). Either this or <see cref="ModelBytes"/>.</summary>
    public string? ModelPath { get; set; }

    /// <summary>The encoder's bytes. Either this or <see cref="ModelPath"/>.</summary>
    public byte[]? ModelBytes { get; set; }

    /// <summary>Folder that relative image paths are resolved against; default null (as given, i.e. the working directory).</summary>
    public string? ImageFolder { get; set; }

    /// <summary>Images per ONNX Runtime call; default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Threads decoding and preprocessing images; default 0 = one per core.</summary>
    public int DecodeThreads { get; set; }

    /// <summary>ONNX Runtime intra-op threads; default 0 = ONNX Runtime's choice (one per core).</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Let ORT's intra-op threads spin-wait between operators; default false, because the next batch is decoded on
    /// the same cores while ORT runs. A benchmark knob (bench/MoCo.MLNet.Bench's <c>moco:D:I:spin</c>), not public.
    /// </summary>
    internal bool OrtSpinning { get; set; }

    /// <summary>
    /// Where the read-ahead decodes (<see cref="Runtime.DecodePlacementMode"/>); default Auto, chosen from measured times.
    /// A benchmark and test knob (bench/MoCo.MLNet.Bench's <c>feat:overlap</c>, <c>feat:inline</c>), not public.
    /// </summary>
    internal Runtime.DecodePlacementMode DecodePlacement { get; set; }

    /// <summary>CUDA device to run on; default null = CPU. Needs the GPU build of ONNX Runtime (docs/onnx.md).</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>With <see cref="GpuDeviceId"/>: run on the CPU, with a warning, when CUDA is unavailable. Default false: fail.</summary>
    public bool FallbackToCpu { get; set; }

    /// <summary>What to do with unreadable images; default <see cref="MoCoBadImagePolicy.Throw"/>.</summary>
    public MoCoBadImagePolicy BadImages { get; set; } = MoCoBadImagePolicy.Throw;

    /// <summary>
    /// The preprocessing; default null = read from the model's <c>moco.*</c> metadata (required for a model without it).
    /// When both exist, this wins.
    /// </summary>
    public MoCoPreprocessing? Preprocessing { get; set; }

    /// <summary>
    /// Let large JPEGs be decoded at 1/2, 1/4 or 1/8 scale (DCT scaling) when the resize still has enough pixels.
    /// Faster; not pixel-identical to PIL's full decode. Default false (exact).
    /// </summary>
    public bool ScaledJpegDecode { get; set; }
}
