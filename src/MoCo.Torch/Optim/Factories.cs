using MoCo.Torch.Optim;

namespace MoCo.Torch;

public static partial class torch
{
    /// <summary>Optimisers, as torch.optim.</summary>
    public static class optim
    {
        /// <summary>SGD as torch.optim.SGD (defaults: momentum 0, dampening 0, weight decay 0, no Nesterov).</summary>
        public static SGD SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0,
            double weight_decay = 0, bool nesterov = false) => new(parameters, lr, momentum, dampening, weight_decay, nesterov);
    }
}
