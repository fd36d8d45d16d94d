using MoCo.Training.Models;

namespace MoCo.Training.Import;

/// <summary>
/// What an import recognised in a PyTorch checkpoint, before or without creating any tensor: the layout, the network,
/// the head, whether a MoCo key encoder and queue were there, and what was left out.
/// <see cref="EncoderImporter.Recognise"/> returns it (what <c>moco info FILE.pth.tar</c> prints);
/// <see cref="ImportResult"/> adds the tensors.
/// </summary>
public class ImportSummary
{
    internal ImportSummary() { }

    /// <summary>The layout the keys followed.</summary>
    public CheckpointLayout Layout { get; init; }
    /// <summary>The encoder the tensors fit (arch, width, stem and its padding where not the usual, input channels; NumClasses the head's output dimension,
    /// or 128 when no head was imported).</summary>
    public required ResNetOptions Encoder { get; init; }
    /// <summary>The head imported as <c>encoder_q.fc*</c> (and <c>encoder_k.fc*</c>).</summary>
    public ImportedHead Head { get; init; }
    /// <summary>Whether the file's MoCo key encoder was imported as <c>encoder_k.*</c>.</summary>
    public bool HasKeyEncoder { get; init; }
    /// <summary>Whether the file's MoCo queue was imported as <c>queue</c> (C × K) and <c>queue_ptr</c>.</summary>
    public bool HasQueue { get; init; }
    /// <summary>The queue's length K when <see cref="HasQueue"/>.</summary>
    public int? QueueSize { get; init; }
    /// <summary>File keys left out, each with its shape and the reason.</summary>
    public IReadOnlyList<string> IgnoredKeys { get; init; } = [];
    /// <summary>Objects of the file kept inert (hyper-parameters, configs, argparse namespaces).</summary>
    public IReadOnlyList<IgnoredObject> IgnoredObjects { get; init; } = [];
    /// <summary>What else to tell the user (MoCo v3 is backbone-only, missing BN counters filled with 0, conversions).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The network and head in words: "resnet50 (width 64, ImageNet 7×7 stem, 3 input channels), MLP head 128-d".</summary>
    public string DescribeEncoder() => EncoderShapes.Describe(Encoder) + ", " + Head switch
    {
        ImportedHead.Linear => $"linear head {Encoder.NumClasses}-d",
        ImportedHead.Mlp => $"MLP head {Encoder.NumClasses}-d",
        _ => "no head",
    };
}
