namespace MoCo.Training.Tensors;

/// <summary>State dicts in PyTorch's order and with PyTorch's strictness. TorchSharp's own <c>state_dict</c> lists all
/// parameters before all buffers, and its strict <c>load_state_dict</c> says only that the keys differ.</summary>
internal static class ModuleState
{
    /// <summary>The module's parameters and persistent buffers under PyTorch's dotted names, in PyTorch's order (per
    /// module: its parameters, its buffers, then its children). The tensors are the module's own.</summary>
    internal static IEnumerable<(string name, Tensor tensor)> StateEntries(this nn.Module module, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(module);
        foreach (var (name, p) in module.named_parameters(recurse: false)) yield return (prefix + name, p);
        foreach (var (name, b) in module.named_buffers(recurse: false, include_nonpersistent: false)) yield return (prefix + name, b);
        foreach (var (name, child) in module.named_children())
        {
            foreach (var entry in child.StateEntries(prefix + name + ".")) yield return entry;
        }
    }

    /// <summary>Copies <paramref name="state"/> into the module (PyTorch's strict load_state_dict): every key must be the
    /// module's and every entry of the module present, with equal shapes; the message names what differs.</summary>
    internal static void LoadState(this nn.Module module, IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(state);
        var own = module.StateEntries().ToList();
        var missing = own.Where(e => !state.ContainsKey(e.name)).Select(e => e.name).ToList();
        var ownNames = own.Select(e => e.name).ToHashSet(StringComparer.Ordinal);
        var unexpected = state.Keys.Where(k => !ownNames.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
        {
            throw new ArgumentException(
                $"state dict does not match {module.GetType().Name}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]",
                nameof(state));
        }
        foreach (var (name, target) in own)
        {
            long[] want = target.shape, have = state[name].shape;
            if (!want.SequenceEqual(have))
                throw new ArgumentException($"'{name}': the module has shape [{string.Join(", ", want)}], the state dict [{string.Join(", ", have)}]", nameof(state));
        }
        using (no_grad())
        {
            foreach (var (name, target) in own) target.copy_(state[name]);
        }
    }
}
