using System.Diagnostics.CodeAnalysis;

namespace MoCo.Torch;

/// <summary>
/// A neural-network module, as torch.nn.Module: named parameters, buffers and child modules (registered in
/// order, named with dots as PyTorch names them: "layer1.0.bn1.running_mean"), a training flag, state dicts.
/// The module owns its tensors and frees them on <see cref="Dispose()"/>.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<KeyValuePair<string, Parameter?>> ownParameters = [];
    private readonly List<KeyValuePair<string, Tensor?>> ownBuffers = [];
    private readonly List<KeyValuePair<string, Module>> ownChildren = [];
    private bool disposed;

    /// <summary>Whether the module is in training mode (BatchNorm uses batch statistics). True at creation.</summary>
    public bool training { get; private set; } = true;

    /// <summary>Registers a parameter (null: a declared but absent one, such as a bias turned off).</summary>
    protected void register_parameter(string name, Parameter? parameter)
    {
        CheckNewName(name);
        ownParameters.Add(new(name, parameter));
    }

    /// <summary>Registers a buffer: state saved in the state dict but not learned (running statistics, queues).
    /// The module takes the tensor out of its dispose scope and owns it.</summary>
    protected void register_buffer(string name, Tensor buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        CheckNewName(name);
        ownBuffers.Add(new(name, buffer.DetachFromDisposeScope()));
    }

    /// <summary>Registers a child module.</summary>
    protected void register_module(string name, Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckNewName(name);
        ownChildren.Add(new(name, module));
    }

    private void CheckNewName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('.', StringComparison.Ordinal)) throw new ArgumentException($"'{name}': names cannot contain '.'", nameof(name));
        if (ownParameters.Exists(p => p.Key == name) || ownBuffers.Exists(b => b.Key == name) || ownChildren.Exists(c => c.Key == name))
            throw new ArgumentException($"'{name}' is already registered in {GetType().Name}", nameof(name));
    }

    /// <summary>Replaces a registered child module under the same name (the old one is not disposed).</summary>
    protected void ReplaceChild(string name, Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        int k = ownChildren.FindIndex(c => c.Key == name);
        if (k < 0) throw new ArgumentException($"no child '{name}' in {GetType().Name}", nameof(name));
        ownChildren[k] = new(name, module);
    }

    /// <summary>Replaces a registered buffer's tensor (disposing the old one), e.g. after moving it to a device.</summary>
    protected void set_buffer(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int k = ownBuffers.FindIndex(b => b.Key == name);
        if (k < 0) throw new ArgumentException($"no buffer '{name}' in {GetType().Name}", nameof(name));
        Tensor? old = ownBuffers[k].Value;
        ownBuffers[k] = new(name, value.DetachFromDisposeScope());
        if (!ReferenceEquals(old, value)) old?.Dispose();
    }

    /// <summary>The parameters with their dotted names, this module's first, then each child's in order.</summary>
    public IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true)
    {
        foreach (var (name, p) in ownParameters)
        {
            if (p is not null) yield return (name, p);
        }
        if (!recurse) yield break;
        foreach (var (childName, child) in ownChildren)
        {
            foreach (var (name, p) in child.named_parameters()) yield return ($"{childName}.{name}", p);
        }
    }

    /// <summary>The parameters, in <see cref="named_parameters"/> order.</summary>
    public IEnumerable<Parameter> parameters() => named_parameters().Select(p => p.parameter);

    /// <summary>The buffers with their dotted names.</summary>
    public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true)
    {
        foreach (var (name, b) in ownBuffers)
        {
            if (b is not null) yield return (name, b);
        }
        if (!recurse) yield break;
        foreach (var (childName, child) in ownChildren)
        {
            foreach (var (name, b) in child.named_buffers()) yield return ($"{childName}.{name}", b);
        }
    }

    /// <summary>The direct children with their names.</summary>
    public IEnumerable<(string name, Module module)> named_children() => ownChildren.Select(c => (c.Key, c.Value));

    /// <summary>This module ("") and every descendant, with dotted names, depth first.</summary>
    public IEnumerable<(string name, Module module)> named_modules()
    {
        yield return ("", this);
        foreach (var (childName, child) in ownChildren)
        {
            foreach (var (name, m) in child.named_modules()) yield return (name.Length == 0 ? childName : $"{childName}.{name}", m);
        }
    }

    /// <summary>
    /// Parameters and buffers by dotted name, in registration order, as PyTorch's state_dict(). The tensors are the
    /// module's own (not copies): read or copy them, do not dispose them.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> state_dict()
    {
        var dict = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in StateEntries()) dict[name] = tensor;
        return dict;
    }

    /// <summary>The state entries in PyTorch's order: per module, its parameters then its buffers, then its children.</summary>
    public IEnumerable<(string name, Tensor tensor)> StateEntries()
    {
        foreach (var (name, p) in ownParameters)
        {
            if (p is not null) yield return (name, p);
        }
        foreach (var (name, b) in ownBuffers)
        {
            if (b is not null) yield return (name, b);
        }
        foreach (var (childName, child) in ownChildren)
        {
            foreach (var (name, t) in child.StateEntries()) yield return ($"{childName}.{name}", t);
        }
    }

    /// <summary>
    /// Copies values from <paramref name="state"/> into this module's parameters and buffers (no autograd). With
    /// <paramref name="strict"/>, missing or unexpected names are an error; shapes must always match.
    /// Returns the names that were missing and unexpected.
    /// </summary>
    public (IReadOnlyList<string> missing, IReadOnlyList<string> unexpected) load_state_dict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = StateEntries().ToList();
        var missing = own.Where(e => !state.ContainsKey(e.name)).Select(e => e.name).ToList();
        var ownNames = own.Select(e => e.name).ToHashSet(StringComparer.Ordinal);
        var unexpected = state.Keys.Where(k => !ownNames.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
        {
            throw new ArgumentException(
                $"state dict does not match {GetType().Name}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]",
                nameof(state));
        }
        foreach (var (name, target) in own)
        {
            if (!state.TryGetValue(name, out Tensor? source)) continue;
            long[] want = target.shape, have = source.shape;
            if (!want.SequenceEqual(have))
                throw new ArgumentException($"'{name}': the module has shape [{string.Join(", ", want)}], the state dict [{string.Join(", ", have)}]", nameof(state));
        }
        using (torch.no_grad())
        {
            foreach (var (name, target) in own)
            {
                if (state.TryGetValue(name, out Tensor? source)) target.copy_(source);
            }
        }
        return (missing, unexpected);
    }

    /// <summary>Sets training mode here and in every descendant; returns this.</summary>
    public Module train(bool on = true)
    {
        foreach (var (_, m) in named_modules()) m.training = on;
        return this;
    }

    /// <summary>Sets evaluation mode (BatchNorm uses running statistics); returns this.</summary>
    public Module eval() => train(false);

    /// <summary>Clears every parameter's gradient (PyTorch's zero_grad(set_to_none=True)).</summary>
    public void zero_grad()
    {
        foreach (Parameter p in parameters()) p.grad = null;
    }

    /// <summary>Moves every parameter and buffer to <paramref name="device"/>; returns this.</summary>
    public Module to(Device device)
    {
        foreach (var (_, m) in named_modules()) m.MoveOwn(device);
        return this;
    }

    private void MoveOwn(Device device)
    {
        // The Parameter and buffer objects keep their identity (modules hold typed references to them);
        // only the native tensor inside is replaced.
        foreach (var (_, p) in ownParameters)
        {
            if (p is null || p.device == device) continue;
            bool requiresGrad = p.requires_grad;
            using (torch.no_grad())
            using (Tensor moved = p.to(device))
            {
                p.ReplaceWith(moved);
            }
            p.requires_grad = requiresGrad;
        }
        foreach (var (_, b) in ownBuffers)
        {
            if (b is null || b.device == device) continue;
            using Tensor moved = b.to(device);
            b.ReplaceWith(moved);
        }
    }

    /// <summary>Frees every parameter and buffer, and the children.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the module's tensors and children.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposed || !disposing) return;
        disposed = true;
        foreach (var (_, p) in ownParameters) p?.Dispose();
        foreach (var (_, b) in ownBuffers) b?.Dispose();
        foreach (var (_, c) in ownChildren) c.Dispose();
    }
}

/// <summary>A module with a typed forward function.</summary>
public abstract class Module<TInput, TOutput> : Module
{
    /// <summary>The computation.</summary>
    public abstract TOutput forward(TInput input);

    /// <summary>Runs <see cref="forward"/> (PyTorch's module(x)).</summary>
    [SuppressMessage("Naming", "CA1716", Justification = "PyTorch's name")]
    public TOutput call(TInput input) => forward(input);
}
