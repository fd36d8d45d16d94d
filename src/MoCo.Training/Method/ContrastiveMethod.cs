using System.Text.Json.Serialization;

namespace MoCo.Training.Method;

/// <summary>
/// The contrastive mechanism a pretraining run uses: the three the MoCo paper compares (He et al. 2020, Fig. 2), on the
/// same encoder, data, loader, checkpoints and logs. Written to JSON by name ("MoCo", "EndToEnd", "MemoryBank");
/// a config without the field means <see cref="MoCo"/>.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<ContrastiveMethod>))]
public enum ContrastiveMethod
{
    /// <summary>Momentum Contrast (Fig. 2c): a momentum-updated key encoder and a queue of K keys as negatives. The default.</summary>
    MoCo,

    /// <summary>End-to-end (Fig. 2a), as SimCLR (Chen et al. 2020): one encoder for both views, keys get gradient, the NT-Xent
    /// loss over the 2N views of a batch with the 2N − 2 other views as negatives (K tied to the batch size).</summary>
    EndToEnd,

    /// <summary>Memory bank (Fig. 2b), as InstDisc (Wu et al. 2018): one stored L2-normalised feature per image, K negatives
    /// sampled from the bank each step, the bank's entries of the batch updated with momentum after the step.</summary>
    MemoryBank,
}
