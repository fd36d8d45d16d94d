using TorchSharp;
using MoCo.Training.Models;
using static TorchSharp.torch;

namespace MoCo.Training.Method;

/// <summary>
/// What the trainer, checkpoints and export see of a contrastive method: the query encoder <see cref="encoder_q"/>
/// (learned by back-propagation, the one exported and monitored by kNN, state names encoder_q.* for every method), a
/// forward that takes a batch's two views and its samples' dataset indices and returns the loss, and the method's
/// other state (key encoder and queue, memory bank) as registered parameters and buffers, so checkpoints hold it.
/// </summary>
public abstract class ContrastiveModel : Module<(Tensor query, Tensor key, Tensor? indices), Tensor>
{
    /// <summary>Builds <see cref="encoder_q"/> from <paramref name="encoder"/> (its NumClasses set to the embedding
    /// dimension) with the head <paramref name="options"/> asks for.</summary>
    private protected ContrastiveModel(string name, ResNetOptions encoder, MoCoOptions options) : base(name)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        EncoderOptions = encoder with { NumClasses = options.Dim };
        encoder_q = BuildEncoder(EncoderOptions, options.Mlp);
        register_module("encoder_q", encoder_q);
    }

    /// <summary>The model of <paramref name="method"/>; <paramref name="datasetSize"/> sizes the memory bank (one entry
    /// per image) and is unused by the other methods.</summary>
    public static ContrastiveModel Create(ContrastiveMethod method, ResNetOptions encoder, MoCoOptions options, int datasetSize) => method switch
    {
        ContrastiveMethod.MoCo => new MomentumContrast(encoder, options),
        ContrastiveMethod.EndToEnd => new EndToEndContrast(encoder, options),
        ContrastiveMethod.MemoryBank => new MemoryBankContrast(encoder, options, datasetSize),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown contrastive method"),
    };

    /// <summary>An encoder with MoCo's head: fc = Linear(D, C), or with <paramref name="mlp"/> Sequential(Linear(D, D), ReLU, Linear(D, C))
    /// (MoCo v2's, which is SimCLR's).</summary>
    internal static ResNet BuildEncoder(ResNetOptions options, bool mlp)
    {
        var net = new ResNet(options);
        if (mlp)
        {
            // v2: fc ← Sequential(Linear(D, D), ReLU, fc), so names are fc.0.*, fc.2.* as in the official code.
            int d = net.FeatureDim;
            net.ReplaceHead(nn.Sequential(nn.Linear(d, d), nn.ReLU(), net.Head));
        }
        return net;
    }

    /// <summary>The method this model implements.</summary>
    public abstract ContrastiveMethod Method { get; }
    /// <summary>The options.</summary>
    public MoCoOptions Options { get; }
    /// <summary>The encoder options (NumClasses = the embedding dimension).</summary>
    private protected ResNetOptions EncoderOptions { get; }
    /// <summary>The query encoder f_q (learned by back-propagation): what gets exported.</summary>
    public ResNet encoder_q { get; }

    /// <summary>Queries of <paramref name="imageQ"/>: the query encoder's output, L2-normalised (with gradient).</summary>
    public Tensor Queries(Tensor imageQ)
    {
        ArgumentNullException.ThrowIfNull(imageQ);
        using Tensor embedding = encoder_q.forward(imageQ);
        return nn.functional.normalize(embedding, dim: 1);
    }

    /// <summary>
    /// Call after each optimisation step, once the step's dispose scope has closed: releases what the step's graph still
    /// holds outside libtorch. On the CPU with channels-last split BN (<see cref="ChannelsLastSplitBatchNorm"/>, a C#
    /// autograd function) that is the graph nodes TorchSharp 0.107 frees only on finalisation, so this collects them;
    /// otherwise it does nothing.
    /// </summary>
    public void AfterStep() => ChannelsLastSplitBatchNorm.CollectFinishedNodesIfAny();

    /// <summary>Checks that both views are given and have one shape.</summary>
    private protected static void CheckViews(Tensor imageQ, Tensor imageK)
    {
        ArgumentNullException.ThrowIfNull(imageQ);
        ArgumentNullException.ThrowIfNull(imageK);
        if (!imageQ.shape.SequenceEqual(imageK.shape))
            throw new ArgumentException($"the two views differ in shape: [{string.Join(", ", imageQ.shape)}] vs [{string.Join(", ", imageK.shape)}]");
    }
}
