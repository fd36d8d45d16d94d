using MoCo.Onnx;
using MoCo.Onnx.Metadata;
using MoCo.Onnx.Writer;
using TorchSharp;
using TorchSharp.Modules;
using MoCo.Training.Models;

namespace MoCo.Training.Export;

/// <summary>
/// Writes a trained encoder as an ONNX model (opset 17) with eval-mode semantics: Conv, BatchNormalization (or folded
/// into the convolutions), Relu, MaxPool, Add, GlobalAveragePool, Flatten, Gemm; input "image" with a dynamic batch
/// and fixed channels and size; output "features" [N, D]; metadata_props describing the preprocessing. Refuses, with
/// a message, any module it cannot represent: it never writes a wrong graph. The metadata is <see cref="EncoderMetadata"/>'s
/// (keys in <see cref="EncoderMetadataKeys"/>).
/// </summary>
public static class OnnxExporter
{
    /// <summary>The ONNX model bytes of <paramref name="encoder"/>.</summary>
    public static byte[] ToBytes(ResNet encoder, OnnxExportOptions options)
    {
        var (graph, properties) = Build(encoder, options);
        return graph.ToBytes(properties);
    }

    /// <summary>Writes the model to <paramref name="path"/> (atomically) and returns its description.</summary>
    public static OnnxExportSummary Save(ResNet encoder, string path, OnnxExportOptions options)
    {
        var (graph, properties) = Build(encoder, options);
        graph.Save(path, properties);
        return Summary(encoder, options, properties.Metadata);
    }

    private static OnnxExportSummary Summary(ResNet encoder, OnnxExportOptions o, IReadOnlyDictionary<string, string> metadata)
    {
        int c = encoder.Options.InChannels, s = o.InputSize;
        string input = o.Uint8Input ? $"image uint8 [N, {s}, {s}, {c}]" : $"image float [N, {c}, {s}, {s}]";
        return new OnnxExportSummary(input, $"features float [N, {FeatureDim(encoder, o)}]", FeatureDim(encoder, o), metadata);
    }

    private static int FeatureDim(ResNet encoder, OnnxExportOptions o) => o.WithHead ? encoder.Options.NumClasses : encoder.FeatureDim;

    private static (OnnxGraphBuilder, OnnxModelProperties) Build(ResNet encoder, OnnxExportOptions o)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(o);
        int c = encoder.Options.InChannels;
        if (o.InputSize <= 0) throw new ArgumentException($"the input size must be positive, got {o.InputSize}");
        if (o.Mean.Length != c || o.Std.Length != c)
            throw new ArgumentException($"mean and std need {c} values (one per input channel), got {o.Mean.Length} and {o.Std.Length}");
        var preprocessing = o.Preprocessing(c, encoder.Options.SmallImages);
        preprocessing.Validate();

        var g = new OnnxGraphBuilder("moco_encoder");
        var w = new Walker(g, o.FoldBatchNorm);
        string x;
        if (o.Uint8Input)
        {
            x = g.Input("image", OnnxElementType.UInt8, -1, o.InputSize, o.InputSize, c);
            x = g.NormalizeUInt8Nhwc(x, preprocessing.Mean.ToArray(), preprocessing.Std.ToArray());
        }
        else
        {
            x = g.Input("image", OnnxElementType.Float, -1, c, o.InputSize, o.InputSize);
        }
        x = w.Encoder(encoder, x, o.WithHead);
        if (o.Normalize) x = g.L2Normalize(x);
        g.Output(x, "features", OnnxElementType.Float, -1, FeatureDim(encoder, o));

        var metadata = new EncoderMetadata(preprocessing)
        {
            Version = o.Version, Arch = ResNetOptions.ArchName(encoder.Options.Arch), Width = encoder.Options.Width,
            FeatureDimension = FeatureDim(encoder, o), L2Normalized = o.Normalize, WithHead = o.WithHead, BatchNormFolded = o.FoldBatchNorm,
            CheckpointSha256 = o.CheckpointSha256, ConfigJson = o.ConfigJson,
        }.ToDictionary();
        return (g, new OnnxModelProperties { Metadata = metadata, Description = "MoCo query encoder exported by MoCo.MLNet" });
    }

    /// <summary>Emits nodes for the modules, naming initializers after the state-dict entries.</summary>
    private sealed class Walker(OnnxGraphBuilder g, bool fold)
    {
        internal string Encoder(ResNet net, string x, bool withHead)
        {
            var (conv, norm) = net.Stem;
            x = g.Relu(ConvNorm(conv, norm, "conv1", "bn1", x));
            if (net.HasMaxPool) x = g.MaxPool(x, [3, 3], [2, 2], [1, 1, 1, 1]);
            for (int layer = 0; layer < net.Layers.Count; layer++)
            {
                for (int block = 0; block < net.Layers[layer].Count; block++) x = Block((Module<Tensor, Tensor>)net.Layers[layer][block], $"layer{layer + 1}.{block}", x);
            }
            x = g.Flatten(g.GlobalAveragePool(x));
            return withHead ? Head(net.Head, "fc", x) : x;
        }

        private string Block(Module<Tensor, Tensor> block, string prefix, string x)
        {
            IReadOnlyList<(Conv2d conv, Module<Tensor, Tensor> norm)> path;
            (Conv2d conv, Module<Tensor, Tensor> norm)? shortcut;
            switch (block)
            {
                case BasicBlock b: (path, shortcut) = (b.MainPath, b.Shortcut); break;
                case Bottleneck b: (path, shortcut) = (b.MainPath, b.Shortcut); break;
                default: throw new NotSupportedException($"{prefix}: cannot export a {block.GetType().Name} block");
            }
            string y = x;
            for (int i = 0; i < path.Count; i++)
            {
                y = ConvNorm(path[i].conv, path[i].norm, $"{prefix}.conv{i + 1}", $"{prefix}.bn{i + 1}", y);
                if (i < path.Count - 1) y = g.Relu(y);
            }
            string identity = shortcut is { } s ? ConvNorm(s.conv, s.norm, $"{prefix}.downsample.0", $"{prefix}.downsample.1", x) : x;
            return g.Relu(g.Add(y, identity));
        }

        private string ConvNorm(Conv2d conv, Module<Tensor, Tensor> norm, string convName, string normName, string x)
        {
            if (conv.dilation.Any(d => d != 1)) throw new NotSupportedException($"{convName}: dilated convolutions are not exported");
            var (gamma, beta, mean, variance, eps) = NormParameters(norm, normName);
            float[] weight = Floats(conv.weight);
            long[] shape = conv.weight.shape;
            long k = shape[2];
            long[] pad = conv.padding ?? throw new NotSupportedException($"{convName}: only explicit padding is exported");
            long[] pads = [pad[0], pad[1], pad[0], pad[1]];
            if (fold)
            {
                // W' = W·γ/√(σ² + ε) per output channel; b' = β − μ·γ/√(σ² + ε) (+ the conv's own bias, scaled).
                float[] bias = conv.bias is null ? new float[shape[0]] : Floats(conv.bias);
                long perChannel = weight.Length / shape[0];
                var foldedBias = new float[shape[0]];
                for (long o = 0; o < shape[0]; o++)
                {
                    double scale = gamma[o] / Math.Sqrt(variance[o] + eps);
                    for (long i = 0; i < perChannel; i++) weight[o * perChannel + i] = (float)(weight[o * perChannel + i] * scale);
                    foldedBias[o] = (float)((bias[o] - mean[o]) * scale + beta[o]);
                }
                string wf = g.Initializer($"{convName}.weight", weight, shape);
                string bf = g.Initializer($"{convName}.bias", foldedBias, shape[0]);
                return g.Conv(x, wf, bf, [k, k], conv.stride, pads, group: conv.groups);
            }
            string w = g.Initializer($"{convName}.weight", weight, shape);
            string? b = conv.bias is null ? null : g.Initializer($"{convName}.bias", Floats(conv.bias), shape[0]);
            string y = g.Conv(x, w, b, [k, k], conv.stride, pads, group: conv.groups);
            return g.BatchNormalization(y, g.Initializer($"{normName}.weight", gamma, gamma.Length), g.Initializer($"{normName}.bias", beta, beta.Length),
                g.Initializer($"{normName}.running_mean", mean, mean.Length), g.Initializer($"{normName}.running_var", variance, variance.Length), (float)eps);
        }

        private static (float[] gamma, float[] beta, float[] mean, float[] variance, double eps) NormParameters(Module<Tensor, Tensor> norm, string name) => norm switch
        {
            BatchNorm2d bn when bn.weight is not null && bn.bias is not null && bn.running_mean is not null && bn.running_var is not null =>
                (Floats(bn.weight), Floats(bn.bias), Floats(bn.running_mean), Floats(bn.running_var), bn.eps),
            SplitBatchNorm2d sbn => (Floats(sbn.weight), Floats(sbn.bias), Floats(sbn.running_mean), Floats(sbn.running_var), sbn.Eps),
            _ => throw new NotSupportedException($"{name}: cannot export {norm.GetType().Name} (BatchNorm with affine parameters and running statistics only)"),
        };

        private string Head(Module<Tensor, Tensor> head, string name, string x) => head switch
        {
            Linear linear => Gemm(linear, name, x),
            Sequential seq => SequentialHead(seq, name, x),
            TorchSharp.Modules.Identity => x,
            _ => throw new NotSupportedException($"{name}: cannot export a {head.GetType().Name} head"),
        };

        private string SequentialHead(Sequential seq, string name, string x)
        {
            for (int i = 0; i < seq.Count; i++)
            {
                x = seq[i] switch
                {
                    Linear linear => Gemm(linear, $"{name}.{i}", x),
                    TorchSharp.Modules.ReLU => g.Relu(x),
                    _ => throw new NotSupportedException($"{name}.{i}: cannot export a {seq[i].GetType().Name} in the head"),
                };
            }
            return x;
        }

        private string Gemm(Linear linear, string name, string x)
        {
            long[] shape = linear.weight.shape;
            string w = g.Initializer($"{name}.weight", Floats(linear.weight), shape);
            string? b = linear.bias is null ? null : g.Initializer($"{name}.bias", Floats(linear.bias), shape[0]);
            return g.Gemm(x, w, b);
        }

        private static float[] Floats(Tensor t)
        {
            using Tensor f = t.detach().to(ScalarType.Float32).contiguous();
            return f.ToArray<float>();
        }
    }
}

/// <summary>What an export wrote.</summary>
/// <param name="Input">The input, e.g. "image float [N, 3, 224, 224]".</param>
/// <param name="Output">The output, e.g. "features float [N, 2048]".</param>
/// <param name="FeatureDim">The feature dimension D.</param>
/// <param name="Metadata">The metadata_props written.</param>
public sealed record OnnxExportSummary(string Input, string Output, int FeatureDim, IReadOnlyDictionary<string, string> Metadata);
