using MoCo.Torch.Native;

namespace MoCo.Torch;

/// <summary>A module's learnable tensor: a leaf that requires gradients by default and belongs to its module
/// (never to a dispose scope). Created from data, whose elements it shares.</summary>
public sealed class Parameter : Tensor
{
    /// <summary>Makes a parameter of <paramref name="data"/>'s elements (cut from any graph).</summary>
    public Parameter(Tensor data, bool requires_grad = true) : base(CreateHandle(data))
    {
        DetachFromDisposeScope();
        this.requires_grad = requires_grad;
    }

    private static IntPtr CreateHandle(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using Tensor detached = data.detach().DetachFromDisposeScope();
        return TorchCheck.Handle(NativeMethods.moco_tensor_alias(detached.Handle));
    }
}
