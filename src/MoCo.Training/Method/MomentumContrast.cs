using TorchSharp;
using MoCo.Training.Models;
using static TorchSharp.torch;

namespace MoCo.Training.Method;

/// <summary>
/// Momentum Contrast (He et al. 2020; v2: Chen et al. 2020), the method in one class, as the official builder.py:
/// a query encoder learned by back-propagation, a key encoder that is its moving average, a FIFO queue of keys
/// as negatives, and the InfoNCE loss. State names follow the official code: encoder_q.*, encoder_k.*, queue, queue_ptr.
/// </summary>
public sealed class MomentumContrast : ContrastiveModel
{
    private Tensor queueTensor, queuePointer;

    /// <summary>Builds both encoders from <paramref name="encoder"/> (its NumClasses is set to the embedding dimension),
    /// copies the query encoder into the key encoder, and fills the queue with random unit vectors.</summary>
    public MomentumContrast(ResNetOptions encoder, MoCoOptions options) : base(nameof(MomentumContrast), encoder, options)
    {
        encoder_k = BuildEncoder(EncoderOptions, options.Mlp);
        register_module("encoder_k", encoder_k);

        var paramsQ = encoder_q.parameters().ToArray();
        var paramsK = encoder_k.parameters().ToArray();
        using (no_grad())
        {
            for (int i = 0; i < paramsQ.Length; i++)
            {
                paramsK[i].copy_(paramsQ[i]);     // initialise: θk = θq
                paramsK[i].requires_grad = false;  // not updated by gradient
            }
        }
        using (NewDisposeScope())
        {
            queueTensor = nn.functional.normalize(randn([options.Dim, options.QueueSize]), dim: 0).DetachFromDisposeScope();
            queuePointer = zeros([1], ScalarType.Int64).DetachFromDisposeScope();
        }
        register_buffer("queue", queueTensor);
        register_buffer("queue_ptr", queuePointer);
    }

    /// <inheritdoc/>
    public override ContrastiveMethod Method => ContrastiveMethod.MoCo;
    /// <summary>The key encoder f_k (moving average of f_q).</summary>
    public ResNet encoder_k { get; }
    // TorchSharp's Module.to replaces a buffer through the public property of its name: the setters register the moved
    // tensor under the same name.
    /// <summary>The queue of keys, C × K (each column a key).</summary>
    public Tensor queue { get => queueTensor; private set { queueTensor = value; ConditionallyRegisterBuffer("queue", value); } }
    /// <summary>Where the next batch of keys goes (Int64 [1]).</summary>
    public Tensor queue_ptr { get => queuePointer; private set { queuePointer = value; ConditionallyRegisterBuffer("queue_ptr", value); } }

    /// <summary>Momentum update of the key encoder: θk ← m·θk + (1 − m)·θq (parameters only; the key encoder's BN
    /// statistics come from its own forward passes, as in the official code).</summary>
    public void MomentumUpdateKeyEncoder()
    {
        using var _ = no_grad();
        double m = Options.Momentum;
        // Listed afresh each step: Module.to replaces parameters with moved copies.
        using var paramsK = encoder_k.parameters().GetEnumerator();
        foreach (Parameter q in encoder_q.parameters())
        {
            paramsK.MoveNext();
            paramsK.Current.mul_(m).add_(q, 1 - m);
        }
    }

    /// <summary>Dequeue the oldest keys and enqueue the newest: keys (N × C) overwrite queue columns ptr … ptr+N−1.</summary>
    public void DequeueAndEnqueue(Tensor keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        long n = keys.size(0);
        long k = Options.QueueSize;
        if (k % n != 0) throw new InvalidOperationException($"the queue size {k} must be divisible by the keys per step ({n})");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        long ptr = queue_ptr.item<long>();
        queue.narrow(1, ptr, n).copy_(keys.t());
        queue_ptr.fill_((ptr + n) % k);
    }

    /// <summary>Keys of <paramref name="imageK"/> from the key encoder, L2-normalised, computed on a shuffled batch and
    /// un-shuffled (shuffle BN: BN statistics cannot pair a query with its own key). No gradient.</summary>
    public Tensor Keys(Tensor imageK)
    {
        ArgumentNullException.ThrowIfNull(imageK);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        if (!Options.ShuffleKeys) return nn.functional.normalize(encoder_k.forward(imageK), dim: 1).MoveToOuterDisposeScope();
        long n = imageK.size(0);
        // Drawn by the CPU generator on every device: it is the one checkpoints save, so a GPU run resumes with the
        // shuffles it would have drawn, and draws the same ones a CPU run does.
        var shuffle = randperm(n).to(imageK.device);
        var unshuffle = shuffle.argsort();
        var k = nn.functional.normalize(encoder_k.forward(imageK.index_select(0, shuffle)), dim: 1);
        return k.index_select(0, unshuffle).MoveToOuterDisposeScope();
    }

    /// <summary>One MoCo forward on two views of a batch: momentum update, keys, queries, InfoNCE (symmetric if set),
    /// then enqueue the keys. Returns the loss (with gradient for the query encoder). The sample indices are not used.</summary>
    public override Tensor forward((Tensor query, Tensor key, Tensor? indices) views)
    {
        var (imageQ, imageK, _) = views;
        CheckViews(imageQ, imageK);
        using var scope = NewDisposeScope();
        MomentumUpdateKeyEncoder();
        double t = Options.Temperature;
        // The negatives as they are before this step's enqueue (the official code's queue.clone().detach()):
        // backward needs them after the queue has been overwritten in place.
        var negatives = queue.clone();
        Tensor loss;
        if (Options.Symmetric)
        {
            var k2 = Keys(imageK);
            var k1 = Keys(imageQ);
            var loss12 = InfoNce.Loss(Queries(imageQ), k2, negatives, t);
            var loss21 = InfoNce.Loss(Queries(imageK), k1, negatives, t);
            loss = loss12 + loss21;
            DequeueAndEnqueue(cat([k1, k2], 0));
        }
        else
        {
            var k = Keys(imageK);
            loss = InfoNce.Loss(Queries(imageQ), k, negatives, t);
            DequeueAndEnqueue(k);
        }
        return loss.MoveToOuterDisposeScope();
    }
}
