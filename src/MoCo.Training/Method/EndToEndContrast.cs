using TorchSharp;
using MoCo.Training.Models;
using static TorchSharp.torch;

namespace MoCo.Training.Method;

/// <summary>
/// The end-to-end mechanism (He et al. 2020, Fig. 2a) as SimCLR (Chen et al. 2020): one encoder for queries and keys,
/// both views of the batch through it in one forward (keys get gradient), the NT-Xent loss over the 2N views with the
/// 2N − 2 other views as negatives, so the number of negatives is tied to the batch size. The only state is
/// encoder_q.*. Head: the options' (SimCLR's MLP is MoCo v2's). Batch norm: SimCLR's global BN over the 2N views
/// is, on one device, plain BN over the concatenated batch; shuffle BN does not apply (no key encoder). With split BN
/// (BnSplits S ≥ 2) each sub-batch holds 2N/S views and an image's two views, N rows apart, never share one.
/// </summary>
public sealed class EndToEndContrast : ContrastiveModel
{
    /// <summary>Builds the encoder from <paramref name="encoder"/> (its NumClasses set to the embedding dimension).
    /// The queue size, momenta and symmetric flag of <paramref name="options"/> are not used.</summary>
    public EndToEndContrast(ResNetOptions encoder, MoCoOptions options) : base(nameof(EndToEndContrast), encoder, options) { }

    /// <inheritdoc/>
    public override ContrastiveMethod Method => ContrastiveMethod.EndToEnd;

    /// <summary>One end-to-end forward: both views through <see cref="ContrastiveModel.encoder_q"/> as one batch of 2N,
    /// L2-normalised, NT-Xent. Returns the loss (with gradient through both views). The sample indices are not used.</summary>
    public override Tensor forward((Tensor query, Tensor key, Tensor? indices) views)
    {
        var (imageQ, imageK, _) = views;
        CheckViews(imageQ, imageK);
        using var scope = NewDisposeScope();
        long n = imageQ.size(0);
        var z = Queries(cat([imageQ, imageK], 0));     // 2N × C
        return NtXent.Loss(z.narrow(0, 0, n), z.narrow(0, n, n), Options.Temperature).MoveToOuterDisposeScope();
    }
}
