using TorchSharp;
using MoCo.Training.Models;
using static TorchSharp.torch;

namespace MoCo.Training.Method;

/// <summary>
/// The memory-bank mechanism (He et al. 2020, Fig. 2b) as InstDisc (Wu et al. 2018), in the form the MoCo paper compares
/// with: the bank holds one L2-normalised feature per image of the data set (state name memory_bank, [images, C]);
/// each step the queries come from the encoder, the positive key of a query is the bank's feature of the same image
/// and the negatives are K features sampled from the bank, with the InfoNCE loss over 1 + K logits; after the loss, the
/// bank's entries of the batch get the momentum update on representations v ← normalise(m·v + (1 − m)·q), m = 0.5.
/// </summary>
/// <remarks>
/// Choices, where the papers leave room: one view per image, the query view (InstDisc encodes one augmentation per
/// image; the key view of the batch is not used). K indices are drawn uniformly with replacement once per mini-batch and
/// shared by its queries ("the dictionary for each mini-batch is randomly sampled from the memory bank", MoCo Sec. 3.3;
/// InstDisc draws per sample, which costs N·K·C memory), from the libtorch CPU generator (the one checkpoints save), on
/// every device; as in InstDisc, a draw may hit an image of the batch itself. The bank starts as random unit vectors.
/// </remarks>
public sealed class MemoryBankContrast : ContrastiveModel
{
    private Tensor bank;

    /// <summary>Builds the encoder from <paramref name="encoder"/> (its NumClasses set to the embedding dimension) and a
    /// bank of <paramref name="datasetSize"/> random unit vectors. K is <see cref="MoCoOptions.QueueSize"/>, the bank's
    /// momentum <see cref="MoCoOptions.MemoryBankMomentum"/>.</summary>
    public MemoryBankContrast(ResNetOptions encoder, MoCoOptions options, int datasetSize) : base(nameof(MemoryBankContrast), encoder, options)
    {
        if (datasetSize <= 0) throw new ArgumentOutOfRangeException(nameof(datasetSize), datasetSize, "the memory bank needs at least one image");
        using (NewDisposeScope()) bank = nn.functional.normalize(randn([datasetSize, options.Dim]), dim: 1).DetachFromDisposeScope();
        register_buffer("memory_bank", bank);
    }

    /// <inheritdoc/>
    public override ContrastiveMethod Method => ContrastiveMethod.MemoryBank;

    // TorchSharp's Module.to replaces a buffer through the public property of its name.
    /// <summary>The bank: one L2-normalised feature per image of the data set, images × C.</summary>
    public Tensor memory_bank { get => bank; private set { bank = value; ConditionallyRegisterBuffer("memory_bank", value); } }

    /// <summary>K indices into the bank drawn uniformly with replacement (Int64 [K], on the bank's device), from the
    /// libtorch CPU generator.</summary>
    public Tensor SampleNegatives()
    {
        using var scope = NewDisposeScope();
        return randint(0, bank.size(0), [Options.QueueSize], ScalarType.Int64).to(bank.device).MoveToOuterDisposeScope();
    }

    /// <summary>The InfoNCE loss of queries <paramref name="q"/> (N × C, L2-normalised) against the bank: positives its rows
    /// <paramref name="indices"/>, negatives its rows <paramref name="negatives"/>.</summary>
    public Tensor Loss(Tensor q, Tensor indices, Tensor negatives)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(negatives);
        using var scope = NewDisposeScope();
        var positive = bank.index_select(0, indices);       // N × C
        var keys = bank.index_select(0, negatives).t();      // C × K
        return InfoNce.Loss(q, positive, keys, Options.Temperature).MoveToOuterDisposeScope();
    }

    /// <summary>The momentum update on representations of the rows <paramref name="indices"/>:
    /// v ← normalise(m·v + (1 − m)·q) with <paramref name="q"/> the batch's queries (no gradient); other rows stay.</summary>
    public void UpdateBank(Tensor indices, Tensor q)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(q);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        double m = Options.MemoryBankMomentum;
        var v = bank.index_select(0, indices).mul_(m).add_(q.detach(), 1 - m);
        bank.index_copy_(0, indices, nn.functional.normalize(v, dim: 1));
    }

    /// <summary>One memory-bank forward: queries of the query view, K sampled negatives, InfoNCE against the bank, then
    /// the bank update of the batch's rows. Returns the loss (with gradient for the query encoder).</summary>
    /// <exception cref="ArgumentException">No sample indices, or indices outside the bank.</exception>
    public override Tensor forward((Tensor query, Tensor key, Tensor? indices) views)
    {
        var (imageQ, imageK, indices) = views;
        CheckViews(imageQ, imageK);
        if (indices is null) throw new ArgumentException("the memory bank needs each sample's dataset index (the data source gave none)");
        if (indices.dim() != 1 || indices.size(0) != imageQ.size(0))
            throw new ArgumentException($"{imageQ.size(0)} images came with indices of shape [{string.Join(", ", indices.shape)}]");
        using var scope = NewDisposeScope();
        var idx = indices.to(ScalarType.Int64).to(bank.device);
        long lo = idx.min().item<long>(), hi = idx.max().item<long>();
        if (lo < 0 || hi >= bank.size(0)) throw new ArgumentException($"sample indices [{lo}, {hi}] lie outside the memory bank of {bank.size(0)} images");
        var q = Queries(imageQ);                              // N × C
        var loss = Loss(q, idx, SampleNegatives());
        UpdateBank(idx, q);
        return loss.MoveToOuterDisposeScope();
    }
}
