using TorchSharp;

namespace MoCo.Training.Evaluation;

/// <summary>
/// A module in eval mode (BatchNorm on its running statistics) until disposed, then every submodule back in the mode it
/// had: evaluating in the middle of a training run leaves the run's modes as they were, frozen parts included.
/// </summary>
internal readonly struct EvalMode : IDisposable
{
    private readonly List<(torch.nn.Module Module, bool Training)> _modes;

    internal EvalMode(torch.nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        _modes = [(module, module.training), .. module.named_modules().Select(m => (m.module, m.module.training))];
        module.eval();
    }

    /// <summary>Restores the modes, the module's own first and then each submodule's.</summary>
    public void Dispose()
    {
        foreach (var (module, training) in _modes ?? []) module.train(training);
    }
}
