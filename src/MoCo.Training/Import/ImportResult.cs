using MoCo.Training.Models;

namespace MoCo.Training.Import;

/// <summary>
/// An encoder imported from a PyTorch checkpoint: what was recognised, and the tensors under our checkpoint's names
/// (<c>encoder_q.*</c> with torchvision's names below it, <c>encoder_k.*</c>, <c>queue</c>, <c>queue_ptr</c>), float32
/// (num_batches_tracked and queue_ptr int64), contiguous, on the CPU. Dispose it to free the tensors.
/// </summary>
public sealed class ImportResult : IDisposable
{
    internal ImportResult(Dictionary<string, Tensor> state) => State = state;

    /// <summary>The layout the keys followed.</summary>
    public CheckpointLayout Layout { get; init; }
    /// <summary>The encoder the tensors fit (arch, width, stem, input channels; NumClasses the head's output dimension,
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
    /// <summary>The imported tensors under our names (owned by this object).</summary>
    public IReadOnlyDictionary<string, Tensor> State { get; }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        foreach (Tensor t in State.Values) t.Dispose();
    }
}
