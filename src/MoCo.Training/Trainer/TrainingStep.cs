using MoCo.Training.Data;
using MoCo.Training.Method;
using MoCo.Training.Optim;
using static TorchSharp.torch;

namespace MoCo.Training.Trainer;

/// <summary>
/// One optimisation step on a batch, in one dispose scope: zero the gradients, the method's forward (MoCo's momentum
/// update of the key encoder, keys, queries and the loss), backward, the SGD update; then the model's
/// <see cref="ContrastiveModel.AfterStep"/>. A loss that is not finite stops the step before backward, so the model is
/// left as the last good step made it.
/// </summary>
internal sealed class TrainingStep(ContrastiveModel model, SGD optimizer)
{
    /// <summary>Trains on <paramref name="batch"/> (not disposed here) and returns the loss; when it is NaN or infinite,
    /// nothing was updated.</summary>
    internal double Take(ViewPairBatch batch)
    {
        double loss;
        using (NewDisposeScope())
        {
            optimizer.zero_grad();
            Tensor lossTensor = model.forward((batch.Query, batch.Key, batch.Indices));
            loss = lossTensor.item<float>();
            if (!double.IsFinite(loss)) return loss;
            lossTensor.backward();
            optimizer.step();
        }
        model.AfterStep();
        return loss;
    }
}
