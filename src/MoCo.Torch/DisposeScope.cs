namespace MoCo.Torch;

/// <summary>
/// Frees, when disposed, every tensor created on this thread while it was the innermost open scope, except
/// those moved out (<see cref="Tensor.MoveToOuterDisposeScope"/>) or detached
/// (<see cref="Tensor.DetachFromDisposeScope"/>). Scopes nest; open one per training step:
/// <code>using (torch.NewDisposeScope()) { var loss = ...; loss.backward(); }</code>
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? innermost;

    private readonly List<Tensor> owned = [];
    private bool disposed;

    internal DisposeScope()
    {
        Outer = innermost;
        innermost = this;
    }

    /// <summary>The scope that was innermost when this one opened, or null.</summary>
    public DisposeScope? Outer { get; }

    /// <summary>How many live tensors this scope owns now.</summary>
    public int Count
    {
        get
        {
            int n = 0;
            foreach (Tensor t in owned)
            {
                if (ReferenceEquals(t.Scope, this) && !t.IsDisposed) n++;
            }
            return n;
        }
    }

    internal static DisposeScope? Current => innermost;

    internal void Register(Tensor tensor) => owned.Add(tensor);

    /// <summary>Frees the tensors this scope owns and closes it.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (Tensor t in owned)
        {
            if (ReferenceEquals(t.Scope, this)) t.Dispose();
        }
        owned.Clear();
        // Scopes close in order on a thread; tolerate an out-of-order close by unwinding to the outer scope.
        if (ReferenceEquals(innermost, this)) innermost = Outer;
    }
}
