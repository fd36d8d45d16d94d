using MoCo.Onnx;
using MoCo.Onnx.Editing;
using MoCo.Onnx.Metadata;

namespace MoCo.MLNet.Runtime;

/// <summary>
/// An encoder checked before any work: one image input (float NCHW, or uint8 NHWC as <c>moco export --uint8-input</c>
/// writes), one feature output of known size, and the preprocessing (from options or the model's metadata).
/// </summary>
internal sealed class EncoderModel
{
    private EncoderModel(OnnxModelFile file, byte[] bytes, MoCoPreprocessing preprocessing, bool uint8Input, int featureDimension)
    {
        File = file;
        Bytes = bytes;
        Preprocessing = preprocessing;
        Uint8Input = uint8Input;
        FeatureDimension = featureDimension;
    }

    public OnnxModelFile File { get; }

    /// <summary>The model as given.</summary>
    public byte[] Bytes { get; }

    public MoCoPreprocessing Preprocessing { get; }

    /// <summary>True when the model takes uint8 NHWC pixels and normalises inside.</summary>
    public bool Uint8Input { get; }

    /// <summary>Values per image in the output.</summary>
    public int FeatureDimension { get; }

    /// <summary>Reads and checks the model the options name; every problem is one <see cref="ArgumentException"/> or <see cref="InvalidDataException"/>.</summary>
    public static EncoderModel Load(MoCoFeaturesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if ((options.ModelPath is null) == (options.ModelBytes is null))
        {
            throw new ArgumentException("MoCoFeatures needs exactly one of ModelPath and ModelBytes.");
        }

        byte[] bytes;
        string source;
        if (options.ModelPath is { } path)
        {
            if (!System.IO.File.Exists(path))
            {
                throw new FileNotFoundException($"MoCoFeatures: ONNX model not found: {Path.GetFullPath(path)}", path);
            }

            bytes = System.IO.File.ReadAllBytes(path);
            source = Path.GetFullPath(path);
        }
        else
        {
            bytes = options.ModelBytes!;
            source = $"(ModelBytes, {bytes.Length} bytes)";
        }

        return FromBytes(bytes, source, options.Preprocessing);
    }

    /// <summary>Checks a model held in memory.</summary>
    public static EncoderModel FromBytes(byte[] bytes, string source, MoCoPreprocessing? preprocessing)
    {
        var file = OnnxModelFile.Parse(bytes, source);
        // The model's own metadata is read only when the options give no preprocessing.
        var fromMetadata = preprocessing is null ? EncoderPreprocessing.FromMetadata(file.Metadata, source) : null;
        var pre = preprocessing ?? (fromMetadata is { } m ? MoCoPreprocessing.From(m) : null)
            ?? throw new ArgumentException(
                $"MoCoFeatures: ONNX model {source} carries no MoCo preprocessing metadata (moco.*); " +
                "set MoCoFeaturesOptions.Preprocessing (e.g. MoCoPreprocessing.ImageNet) for models exported elsewhere.");
        pre.Validate();

        if (file.Inputs.Count != 1 || file.Outputs.Count != 1)
        {
            throw new ArgumentException($"MoCoFeatures: ONNX model {source} must have one input and one output, has {file.Inputs.Count} and {file.Outputs.Count} ({string.Join(", ", file.Inputs)} → {string.Join(", ", file.Outputs)}).");
        }

        var input = file.Inputs[0];
        var output = file.Outputs[0];
        bool uint8 = input.ElementType == OnnxElementType.UInt8;
        long[] expected = uint8 ? [-1, pre.CropSize, pre.CropSize, pre.Channels] : [-1, pre.Channels, pre.CropSize, pre.CropSize];
        bool shapeOk = input.Shape.Count == 4 && (input.ElementType is OnnxElementType.Float or OnnxElementType.UInt8)
            && input.Shape.Skip(1).Zip(expected.Skip(1)).All(p => p.First < 0 || p.First == p.Second)
            && input.Shape[0] is -1 or 1;
        if (!shapeOk)
        {
            throw new ArgumentException(
                $"MoCoFeatures: ONNX model {source} takes {input}; with the preprocessing (crop {pre.CropSize}, {pre.Channels} channel(s)) " +
                $"it should take Float[N, {pre.Channels}, {pre.CropSize}, {pre.CropSize}] or UInt8[N, {pre.CropSize}, {pre.CropSize}, {pre.Channels}].");
        }

        if (fromMetadata is not null && file.Metadata.ContainsKey(EncoderMetadataKeys.Layout) && (fromMetadata.Layout == EncoderInputLayout.NhwcUInt8) != uint8)
        {
            throw new ArgumentException(
                $"MoCoFeatures: ONNX model {source} takes {input}, but its metadata says {EncoderMetadataKeys.Layout} = {file.Metadata[EncoderMetadataKeys.Layout]}.");
        }

        if (input.Shape[0] == 1)
        {
            throw new ArgumentException($"MoCoFeatures: ONNX model {source} has a fixed batch of 1 ({input}); export it with a dynamic batch dimension.");
        }

        if (output.ElementType != OnnxElementType.Float || output.Shape.Count < 2 || output.Shape.Skip(1).Any(d => d <= 0))
        {
            throw new ArgumentException($"MoCoFeatures: ONNX model {source} gives {output}; expected Float[N, D] features with a known D.");
        }

        long dim = output.Shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        return new EncoderModel(file, bytes, pre, uint8, checked((int)dim));
    }
}
