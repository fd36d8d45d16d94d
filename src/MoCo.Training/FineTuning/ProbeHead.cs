using MoCo.Training.Evaluation;
using MoCo.Training.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MoCo.Training.FineTuning;

/// <summary>
/// The classifier's start for <see cref="FineTuneConfig.HeadInit"/> = probe (LP-FT: Kumar et al., "Fine-Tuning can
/// Distort Pretrained Features and Underperform Out-of-Distribution", ICLR 2022): the linear protocol's probe
/// (<see cref="LinearProbe"/>: standardised features, L2, full-batch Adam) fitted on the frozen backbone's features of
/// the labelled images (evaluation transform), folded into <c>fc</c> so the network's logits on those features equal
/// the probe's. Fine-tuning then starts from a classifier that already fits the labels, and the first steps' gradients
/// do not tear the pretrained features towards a random head. Training runs BatchNorm on each batch's statistics, so
/// the probe is fitted on features normalised as training will see them: every BatchNorm's running statistics are
/// first recomputed on the labelled images (a cumulative average over their batches; the pretrained ones were
/// gathered on the pretraining's augmented views and differ), then the features are taken in eval mode.
/// </summary>
internal static class ProbeHead
{
    /// <summary>The probe's L2 weight.</summary>
    public const double L2 = 1e-2;

    /// <summary>Fits the probe on <paramref name="images"/> through <paramref name="model"/>'s backbone and writes it
    /// into fc.weight and fc.bias. Returns the probe's training objective.</summary>
    public static double Initialise(FineTuneModel model, ILabelledImages images, int classes, Device device, double l2 = L2)
    {
        RecalibrateBatchNorm(model.Network, images, device);
        var (features, labels) = FrozenFeatures.Extract(model.Network, images, device);
        LinearProbe probe;
        using (features)
        {
            probe = LinearProbe.Fit(features, labels, classes, new LinearProbeOptions { L2 = l2 });
        }

        var (weight, bias) = Fold(probe.Mean, probe.Scale, probe.Weight, probe.Bias, classes);
        var d = probe.Mean.Count;
        using var _ = no_grad();
        var fcWeight = model.HeadParameters().First(p => p.dim() == 2);
        var fcBias = model.HeadParameters().First(p => p.dim() == 1);
        if (fcWeight.size(0) != classes || fcWeight.size(1) != d)
            throw new InvalidOperationException($"the classifier is {fcWeight.size(0)}×{fcWeight.size(1)}, the probe {classes}×{d}");
        using (var w = tensor(weight, [classes, d]))
        {
            fcWeight.copy_(w);
        }

        using (var b = tensor(bias))
        {
            fcBias.copy_(b);
        }

        return probe.FinalLoss;
    }

    /// <summary>
    /// Replaces every BatchNorm's running mean and variance by their average over <paramref name="images"/>' batches in
    /// training mode (momentum set to a cumulative average for the pass, then restored); a batch of one image, which
    /// BatchNorm cannot normalise, is left out. The network's mode is restored.
    /// </summary>
    internal static void RecalibrateBatchNorm(ResNet network, ILabelledImages images, Device device)
    {
        var norms = network.modules().OfType<BatchNorm2d>().ToList();
        var momenta = norms.Select(n => n.momentum).ToList();
        bool wasTraining = network.training;
        try
        {
            foreach (var norm in norms)
            {
                norm.reset_running_stats();
                norm.momentum = null;
            }

            network.train();
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            foreach (var (x, _) in images.Batches(device))
            {
                using (x)
                {
                    if (x.size(0) > 1)
                    {
                        network.ForwardFeatures(x).Dispose();
                    }
                }
            }
        }
        finally
        {
            for (var i = 0; i < norms.Count; i++)
            {
                norms[i].momentum = momenta[i];
            }

            network.train(wasTraining);
        }
    }

    /// <summary>
    /// The probe as a linear layer on raw features: logits = Σ_j (x_j − μ_j)·s_j·W[j, c] + b_c, so fc.weight[c, j] =
    /// s_j·W[j, c] and fc.bias[c] = b_c − Σ_j μ_j·s_j·W[j, c] (W is D × C, the layer's weight C × D).
    /// </summary>
    internal static (float[] Weight, float[] Bias) Fold(IReadOnlyList<float> mean, IReadOnlyList<float> scale, IReadOnlyList<float> probeWeight, IReadOnlyList<float> probeBias, int classes)
    {
        int d = mean.Count, c = classes;
        var weight = new float[c * d];
        var bias = new float[c];
        for (var k = 0; k < c; k++)
        {
            double shift = 0;
            for (var j = 0; j < d; j++)
            {
                double w = (double)scale[j] * probeWeight[(j * c) + k];
                weight[(k * d) + j] = (float)w;
                shift += mean[j] * w;
            }

            bias[k] = (float)(probeBias[k] - shift);
        }

        return (weight, bias);
    }
}
