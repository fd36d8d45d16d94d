namespace MoCo.Training.Import;

/// <summary>
/// An encoder imported from a PyTorch checkpoint: what was recognised (<see cref="ImportSummary"/>), and the tensors
/// under our checkpoint's names (<c>encoder_q.*</c> with torchvision's names below it, <c>encoder_k.*</c>, <c>queue</c>,
/// <c>queue_ptr</c>), float32 (num_batches_tracked and queue_ptr int64), contiguous, on the CPU. Dispose it to free the tensors.
/// </summary>
public sealed class ImportResult : ImportSummary, IDisposable
{
    internal ImportResult(Dictionary<string, Tensor> state) => State = state;

    /// <summary>The imported tensors under our names (owned by this object).</summary>
    public IReadOnlyDictionary<string, Tensor> State { get; }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        foreach (Tensor t in State.Values) t.Dispose();
    }
}
