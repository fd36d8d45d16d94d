using MoCo.Torch.Native;

namespace MoCo.Torch;

// Autograd: requires_grad, backward and .grad.
public partial class Tensor
{
    /// <summary>Whether autograd records operations on this tensor. Set it on leaves only.</summary>
    public bool requires_grad
    {
        get => Info().RequiresGrad != 0;
        set => TorchCheck.Status(NativeMethods.moco_tensor_set_requires_grad(Handle, value ? 1 : 0));
    }

    /// <summary>Sets <see cref="requires_grad"/> and returns this.</summary>
    public Tensor requires_grad_(bool requiresGrad = true)
    {
        requires_grad = requiresGrad;
        return this;
    }

    /// <summary>
    /// The gradient accumulated by <see cref="backward"/>, or null before any. A new handle each call (owned by the
    /// current dispose scope); setting null clears it as PyTorch's zero_grad(set_to_none=True) does.
    /// </summary>
    public unsafe Tensor? grad
    {
        get
        {
            IntPtr g;
            TorchCheck.Status(NativeMethods.moco_tensor_get_grad(Handle, &g));
            return g == IntPtr.Zero ? null : new Tensor(g);
        }
        set => TorchCheck.Status(NativeMethods.moco_tensor_set_grad(Handle, value is null ? IntPtr.Zero : value.Handle));
    }

    /// <summary>Back-propagates from this tensor (a scalar, or with <paramref name="gradient"/> of its shape),
    /// accumulating into the .grad of the leaves that require gradients.</summary>
    public void backward(Tensor? gradient = null, bool retain_graph = false) =>
        TorchCheck.Status(NativeMethods.moco_backward(Handle, gradient is null ? IntPtr.Zero : gradient.Handle, retain_graph ? 1 : 0));
}
