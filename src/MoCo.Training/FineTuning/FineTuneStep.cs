using MoCo.Training.Optim;
using static TorchSharp.torch;

namespace MoCo.Training.FineTuning;

/// <summary>
/// One fine-tuning step on a labelled batch, in one dispose scope: zero the gradients, logits, cross-entropy (mean over
/// the batch), backward, then the SGD update of both parameter groups (the backbone's optimiser and the head's, each at
/// its own learning rate: together torch.optim.SGD with two parameter groups). A loss that is not finite stops the step
/// before backward, so the model is left as the last good step made it.
/// </summary>
internal sealed class FineTuneStep(FineTuneModel model, SGD backbone, SGD head)
{
    /// <summary>Trains on <paramref name="images"/> (N×C×H×W, normalised) with <paramref name="labels"/> (N, int64) and
    /// returns the loss; when it is NaN or infinite, nothing was updated.</summary>
    internal double Take(Tensor images, Tensor labels)
    {
        using var scope = NewDisposeScope();
        backbone.zero_grad();
        head.zero_grad();
        Tensor logits = model.Network.forward(images);                      // N × classes
        Tensor loss = nn.functional.cross_entropy(logits, labels);
        double value = loss.item<float>();
        if (!double.IsFinite(value)) return value;
        loss.backward();
        backbone.step();
        head.step();
        return value;
    }
}
