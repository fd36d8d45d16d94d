using System.Globalization;

namespace MoCo.Training.Import;

/// <summary>A file tensor under the name it gets here, with the key it had in the file.</summary>
internal readonly record struct SourceTensor(string SourceKey, PyTorchTensor Tensor);

/// <summary>A state dict sorted into the parts of a MoCo model, under torchvision's names within each part
/// (<c>conv1.weight</c>, <c>layer1.0.bn1.running_mean</c>; heads <c>fc.weight</c>, <c>fc.0.weight</c>, …).</summary>
internal sealed class RecognisedLayout(CheckpointLayout layout)
{
    internal CheckpointLayout Layout { get; } = layout;
    internal Dictionary<string, SourceTensor> QueryBackbone { get; } = new(StringComparer.Ordinal);
    internal Dictionary<string, SourceTensor> QueryHead { get; } = new(StringComparer.Ordinal);
    internal Dictionary<string, SourceTensor> KeyBackbone { get; } = new(StringComparer.Ordinal);
    internal Dictionary<string, SourceTensor> KeyHead { get; } = new(StringComparer.Ordinal);
    internal SourceTensor? Queue { get; set; }
    internal SourceTensor? QueuePointer { get; set; }
    /// <summary>File keys left out, each with its shape and why.</summary>
    internal List<string> Ignored { get; } = [];
    internal List<string> Notes { get; } = [];
    /// <summary>The padding the layout's code builds the stem's conv1 with where that is not the stem's usual one (solo-learn's
    /// CIFAR stem: 2); null otherwise.</summary>
    internal int? StemPadding { get; set; }
}

/// <summary>
/// Tells which code wrote a state dict from its key prefixes, and maps its keys to the parts of our model. Layouts:
/// <see cref="CheckpointLayout"/>. DataParallel's <c>module.</c> prefix is optional everywhere.
/// </summary>
internal static class LayoutRecognition
{
    private const string DataParallel = "module.";
    private static readonly string[] LightningBackbones = ["backbone.", "model.backbone."];
    /// <summary>solo-learn before its 1.0 configs called the backbone encoder.</summary>
    private const string OldSoloLearnBackbone = "encoder.";
    /// <summary>The padding of solo-learn's CIFAR stem (solo/methods/base.py: <c>nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=2)</c>).</summary>
    internal const int SoloLearnCifarStemPadding = 2;

    internal static RecognisedLayout Recognise(IReadOnlyList<SourceTensor> state, CheckpointLayout requested)
    {
        CheckpointLayout layout = requested == CheckpointLayout.Auto ? Detect(state) : requested;
        var result = new RecognisedLayout(layout);
        foreach (SourceTensor entry in state)
        {
            string key = Strip(entry.SourceKey, DataParallel) ?? entry.SourceKey;
            string? reason = layout switch
            {
                CheckpointLayout.MoCo => MapMoCo(key, entry, result),
                CheckpointLayout.MoCoV3 => MapMoCoV3(key, entry, result),
                CheckpointLayout.Torchvision => MapTorchvision(key, entry, result.QueryBackbone, "torchvision's supervised classifier, not a MoCo head"),
                CheckpointLayout.Lightly => MapLightning(key, entry, result, indexNames: true),
                CheckpointLayout.SoloLearn => MapLightning(key, entry, result, indexNames: false),
                _ => throw new ArgumentOutOfRangeException(nameof(requested), requested, "unknown layout"),
            };
            if (reason is not null) result.Ignored.Add($"{entry.SourceKey} {Shape(entry.Tensor)}: {reason}");
        }
        if (layout == CheckpointLayout.MoCoV3)
            result.Notes.Add("MoCo v3: the backbone is imported; its projection and prediction MLPs are left out, and v3 training itself is not supported");
        if (layout == CheckpointLayout.SoloLearn && result.QueryBackbone.TryGetValue("conv1.weight", out SourceTensor conv1) && conv1.Tensor.Shape is [_, _, 3, 3])
        {
            // solo-learn's BaseMethod replaces a CIFAR ResNet's conv1 by a 3×3 stride-1 convolution with padding 2 (and the
            // max-pool by an identity); no tensor says so, the layout does.
            result.StemPadding = SoloLearnCifarStemPadding;
            result.Notes.Add($"solo-learn's CIFAR stem: its 3×3 conv1 pads by {SoloLearnCifarStemPadding} pixels (ours by 1 unless told), and the network is built so");
        }
        return result;
    }

    /// <summary>The layout whose prefixes the keys carry.</summary>
    internal static CheckpointLayout Detect(IReadOnlyList<SourceTensor> state)
    {
        var keys = state.Select(e => Strip(e.SourceKey, DataParallel) ?? e.SourceKey).ToList();
        if (keys.Any(k => k.StartsWith("encoder_q.", StringComparison.Ordinal))) return CheckpointLayout.MoCo;
        if (keys.Any(k => k.StartsWith("base_encoder.", StringComparison.Ordinal))) return CheckpointLayout.MoCoV3;
        var backbone = keys.Select(k => LightningBackbones.Select(p => Strip(k, p)).FirstOrDefault(r => r is not null)).OfType<string>().ToList();
        if (backbone.Count > 0)
        {
            bool lightlyNames = backbone.Any(k => char.IsAsciiDigit(k[0]))
                || keys.Any(k => k.StartsWith("backbone_momentum.", StringComparison.Ordinal) || k.StartsWith("projection_head.", StringComparison.Ordinal));
            return lightlyNames ? CheckpointLayout.Lightly : CheckpointLayout.SoloLearn;
        }
        if (keys.Contains(OldSoloLearnBackbone + "conv1.weight")) return CheckpointLayout.SoloLearn;
        if (keys.Contains("conv1.weight") && keys.Any(k => k.StartsWith("layer1.", StringComparison.Ordinal))) return CheckpointLayout.Torchvision;
        throw new InvalidDataException("unknown checkpoint layout: no key says official MoCo (encoder_q.), MoCo v3 (base_encoder.), " +
            "lightly or solo-learn (backbone.) or torchvision (conv1.weight, layer1.*); the file's tensors: " + ListKeys(state));
    }

    private static string? MapMoCo(string key, SourceTensor entry, RecognisedLayout r)
    {
        if (Strip(key, "encoder_q.") is { } q) return MapEncoder(q, entry, r.QueryBackbone, r.QueryHead);
        if (Strip(key, "encoder_k.") is { } k) return MapEncoder(k, entry, r.KeyBackbone, r.KeyHead);
        if (key == "queue") { r.Queue = entry; return null; }
        if (key == "queue_ptr") { r.QueuePointer = entry; return null; }
        return "not part of a MoCo model";
    }

    private static string? MapMoCoV3(string key, SourceTensor entry, RecognisedLayout r)
    {
        if (Strip(key, "base_encoder.") is { } q) return MapTorchvision(q, entry, r.QueryBackbone, "MoCo v3's projection MLP, which our head is not");
        if (key.StartsWith("momentum_encoder.", StringComparison.Ordinal)) return "MoCo v3's momentum encoder (v3 training is not supported)";
        if (key.StartsWith("predictor.", StringComparison.Ordinal)) return "MoCo v3's prediction MLP (v3 training is not supported)";
        return "not part of a MoCo v3 model";
    }

    private static string? MapLightning(string key, SourceTensor entry, RecognisedLayout r, bool indexNames)
    {
        string? inner = LightningBackbones.Select(p => Strip(key, p)).FirstOrDefault(s => s is not null)
            ?? (indexNames ? null : Strip(key, OldSoloLearnBackbone));
        if (inner is null)
        {
            return key.StartsWith("backbone_momentum.", StringComparison.Ordinal) || key.StartsWith("momentum_backbone.", StringComparison.Ordinal)
                || key.StartsWith("momentum_encoder.", StringComparison.Ordinal)
                ? "the momentum backbone (its head does not fit ours; the key encoder starts from the query encoder)"
                : "not the backbone (projection heads, online classifiers and the like are left out)";
        }
        if (indexNames && inner.Length > 0 && char.IsAsciiDigit(inner[0])) inner = FromSequentialIndex(inner);
        return inner is null ? "not a ResNet child of nn.Sequential(*list(resnet.children())[:-1])" : MapTorchvision(inner, entry, r.QueryBackbone, "a classifier, not a MoCo head");
    }

    /// <summary>lightly's index names: children of a torchvision ResNet without fc, 0 conv1, 1 bn1, 2 relu, 3 maxpool, 4–7 layer1–4.</summary>
    private static string? FromSequentialIndex(string inner)
    {
        int dot = inner.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0 || !int.TryParse(inner.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out int child)) return null;
        string? name = child switch { 0 => "conv1", 1 => "bn1", >= 4 and <= 7 => "layer" + (child - 3).ToString(CultureInfo.InvariantCulture), _ => null };
        return name is null ? null : name + inner[dot..];
    }

    private static string? MapEncoder(string name, SourceTensor entry, Dictionary<string, SourceTensor> backbone, Dictionary<string, SourceTensor> head)
    {
        if (name.StartsWith("fc.", StringComparison.Ordinal)) head[name] = entry;
        else backbone[name] = entry;
        return null;
    }

    private static string? MapTorchvision(string name, SourceTensor entry, Dictionary<string, SourceTensor> backbone, string headReason)
    {
        if (name.StartsWith("fc.", StringComparison.Ordinal)) return headReason;
        backbone[name] = entry;
        return null;
    }

    private static string? Strip(string key, string prefix) => key.StartsWith(prefix, StringComparison.Ordinal) ? key[prefix.Length..] : null;

    internal static string Shape(PyTorchTensor t) => "[" + string.Join(", ", t.Shape) + "]";

    internal static string ListKeys(IReadOnlyList<SourceTensor> state, int max = 40)
    {
        var shown = state.Take(max).Select(e => $"{e.SourceKey} {Shape(e.Tensor)}");
        string more = state.Count > max ? $", … and {state.Count - max} more" : "";
        return state.Count == 0 ? "none" : string.Join(", ", shown) + more;
    }
}
