using TorchSharp;
using static TorchSharp.torch;

namespace MoCo.Training.Optim;

/// <summary>
/// Stochastic gradient descent with momentum, weight decay and Nesterov, exactly as torch.optim.SGD:
/// d = g + wd·θ; b = μ·b + (1 − dampening)·d (b = d at the first step); d = d + μ·b (Nesterov) or b; θ = θ − lr·d.
/// </summary>
public sealed class SGD : IDisposable
{
    private readonly Parameter[] parameters;
    private readonly Tensor?[] momentumBuffers;

    internal SGD(IEnumerable<Parameter> parameters, double lr, double momentum, double dampening, double weightDecay, bool nesterov)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (lr < 0) throw new ArgumentOutOfRangeException(nameof(lr), lr, "the learning rate must be non-negative");
        if (momentum < 0) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be non-negative");
        if (weightDecay < 0) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "weight decay must be non-negative");
        if (nesterov && (momentum <= 0 || dampening != 0)) throw new ArgumentException("Nesterov momentum needs momentum > 0 and dampening 0");
        this.parameters = parameters.ToArray();
        momentumBuffers = new Tensor?[this.parameters.Length];
        LearningRate = lr;
        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
    }

    /// <summary>The learning rate of the next <see cref="step"/> (schedules set it).</summary>
    public double LearningRate { get; set; }
    /// <summary>Momentum μ (default 0).</summary>
    public double Momentum { get; }
    /// <summary>Dampening (default 0).</summary>
    public double Dampening { get; }
    /// <summary>L2 weight decay (default 0).</summary>
    public double WeightDecay { get; }
    /// <summary>Whether Nesterov momentum is used (default false).</summary>
    public bool Nesterov { get; }

    /// <summary>The parameters, in the order given.</summary>
    public IReadOnlyList<Parameter> Parameters => parameters;

    /// <summary>One update of every parameter that has a gradient.</summary>
    public void step()
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        for (int k = 0; k < parameters.Length; k++)
        {
            Parameter p = parameters[k];
            Tensor? grad = p.grad;
            if (grad is null) continue;
            Tensor d = WeightDecay != 0 ? grad.add(p, WeightDecay) : grad;
            if (Momentum != 0)
            {
                Tensor? buffer = momentumBuffers[k];
                if (buffer is null)
                {
                    buffer = d.clone().DetachFromDisposeScope();
                    momentumBuffers[k] = buffer;
                }
                else
                {
                    buffer.mul_(Momentum).add_(d, 1 - Dampening);
                }
                d = Nesterov ? d.add(buffer, Momentum) : buffer;
            }
            p.add_(d, -LearningRate);
        }
    }

    /// <summary>Clears the gradients of the parameters (set to none).</summary>
    public void zero_grad()
    {
        foreach (Parameter p in parameters) p.grad = null;
    }

    /// <summary>
    /// The momentum buffers by parameter index ("state.{i}.momentum_buffer", as PyTorch's optimizer state dict numbers
    /// them); the tensors are the optimiser's own: copy, do not dispose.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> state_dict()
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int k = 0; k < momentumBuffers.Length; k++)
        {
            if (momentumBuffers[k] is { } b) state[$"state.{k}.momentum_buffer"] = b;
        }
        return state;
    }

    /// <summary>Restores momentum buffers saved by <see cref="state_dict"/> (copies them).</summary>
    public void load_state_dict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (string key in state.Keys)
        {
            if (!TryParseIndex(key, out int k) || k < 0 || k >= parameters.Length)
                throw new ArgumentException($"'{key}' is not a momentum buffer of this optimiser ({parameters.Length} parameters)", nameof(state));
        }
        for (int k = 0; k < momentumBuffers.Length; k++)
        {
            momentumBuffers[k]?.Dispose();
            momentumBuffers[k] = null;
            if (!state.TryGetValue($"state.{k}.momentum_buffer", out Tensor? saved)) continue;
            if (!saved.shape.SequenceEqual(parameters[k].shape))
                throw new ArgumentException($"momentum buffer {k} has shape [{string.Join(", ", saved.shape)}], its parameter [{string.Join(", ", parameters[k].shape)}]", nameof(state));
            using (torch.no_grad()) momentumBuffers[k] = saved.to(parameters[k].device).clone().DetachFromDisposeScope();
        }
    }

    private static bool TryParseIndex(string key, out int index)
    {
        index = -1;
        const string prefix = "state.", suffix = ".momentum_buffer";
        return key.StartsWith(prefix, StringComparison.Ordinal) && key.EndsWith(suffix, StringComparison.Ordinal)
            && int.TryParse(key.AsSpan(prefix.Length, key.Length - prefix.Length - suffix.Length), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out index);
    }

    /// <summary>Frees the momentum buffers.</summary>
    public void Dispose()
    {
        for (int k = 0; k < momentumBuffers.Length; k++)
        {
            momentumBuffers[k]?.Dispose();
            momentumBuffers[k] = null;
        }
    }
}
