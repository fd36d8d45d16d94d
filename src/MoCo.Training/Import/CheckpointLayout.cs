namespace MoCo.Training.Import;

/// <summary>Whose naming a checkpoint's state dict follows.</summary>
public enum CheckpointLayout
{
    /// <summary>Recognise it from the keys (only as an option).</summary>
    Auto,
    /// <summary>Official MoCo v1/v2 (facebookresearch/moco): <c>state_dict</c> with <c>module.encoder_q.*</c>,
    /// <c>module.encoder_k.*</c>, <c>module.queue</c>, <c>module.queue_ptr</c>; head <c>fc</c> or MLP <c>fc.0</c>/<c>fc.2</c>.
    /// Our own checkpoints use the same names.</summary>
    MoCo,
    /// <summary>Official MoCo v3 ResNet (facebookresearch/moco-v3): <c>module.base_encoder.*</c>,
    /// <c>module.momentum_encoder.*</c>, <c>module.predictor.*</c>. Only the backbone is imported; v3 training is not supported.</summary>
    MoCoV3,
    /// <summary>A torchvision ResNet state dict (<c>conv1.weight</c>, <c>layer1.0.*</c>, supervised <c>fc</c>, which is left out).</summary>
    Torchvision,
    /// <summary>A lightly Lightning checkpoint: <c>state_dict</c> with <c>backbone.</c> (or <c>model.backbone.</c>) and
    /// torchvision names or the index names of <c>nn.Sequential(*list(resnet.children())[:-1])</c> (0 conv1, 1 bn1, 4–7 layer1–4).</summary>
    Lightly,
    /// <summary>A solo-learn Lightning checkpoint: <c>state_dict</c> with <c>backbone.</c> (before solo-learn 1.0:
    /// <c>encoder.</c>) and torchvision names (<c>momentum_backbone.</c>, <c>projector.</c>, <c>classifier.</c> are left out).</summary>
    SoloLearn,
}

/// <summary>The projection head an import carried over.</summary>
public enum ImportedHead
{
    /// <summary>None: the file had no MoCo head, or one that does not fit ours (left out).</summary>
    None,
    /// <summary>MoCo v1's Linear(D, C) as <c>fc</c>.</summary>
    Linear,
    /// <summary>MoCo v2's MLP Linear(D, D), ReLU, Linear(D, C) as <c>fc.0</c>, <c>fc.2</c>.</summary>
    Mlp,
}

/// <summary>The command-line names of <see cref="CheckpointLayout"/>: auto, moco, moco-v3, torchvision, lightly, solo-learn.</summary>
public static class CheckpointLayoutNames
{
    /// <summary>The name of <paramref name="layout"/>.</summary>
    public static string Format(CheckpointLayout layout) => layout switch
    {
        CheckpointLayout.Auto => "auto",
        CheckpointLayout.MoCo => "moco",
        CheckpointLayout.MoCoV3 => "moco-v3",
        CheckpointLayout.Torchvision => "torchvision",
        CheckpointLayout.Lightly => "lightly",
        CheckpointLayout.SoloLearn => "solo-learn",
        _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "unknown layout"),
    };

    /// <summary>Parses a name (case-insensitive) with a message listing the accepted ones.</summary>
    public static CheckpointLayout Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (CheckpointLayout l in Enum.GetValues<CheckpointLayout>())
        {
            if (string.Equals(Format(l), name.Trim(), StringComparison.OrdinalIgnoreCase)) return l;
        }
        throw new ArgumentException($"unknown layout '{name}': use auto, moco, moco-v3, torchvision, lightly or solo-learn", nameof(name));
    }
}
