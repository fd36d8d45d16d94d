using MoCo.Torch.Native;

namespace MoCo.Torch;

// Copies, conversions, fills and in-place initialisation.
public partial class Tensor
{
    /// <summary>The elements converted to <paramref name="type"/> (this tensor's data when it already is).</summary>
    public Tensor to_type(ScalarType type) => CallFrame.Begin().Add(this).Add(type).Add(false).Add(false).AddNone().Call(Aten.ToDtype);
    /// <summary>The tensor on <paramref name="device"/> (this tensor's data when it already is there).</summary>
    public Tensor to(Device device) =>
        CallFrame.Begin().Add(this).Add(device).Add(dtype).Add(false).Add(false).AddNone().Call(Aten.ToDevice);
    /// <summary>The elements converted to <paramref name="type"/>.</summary>
    public Tensor to(ScalarType type) => to_type(type);
    /// <summary>A copy with its own storage (recorded by autograd).</summary>
    public Tensor clone() => CallFrame.Begin().Add(this).AddNone().Call(Aten.Clone);
    /// <summary>The same data, cut from the autograd graph.</summary>
    public Tensor detach() => Unary(Aten.Detach);
    /// <summary>Another handle to the same tensor (shares data and autograd identity).</summary>
    public Tensor alias() => new(TorchCheck.Handle(NativeMethods.moco_tensor_alias(Handle)));
    /// <summary>In place: copies src's elements into this (broadcasting, converting).</summary>
    public Tensor copy_(Tensor src) { CallFrame.Begin().Add(this).Add(src).Add(false).CallInPlace(Aten.Copy_); return this; }
    /// <summary>In place: every element = value.</summary>
    public Tensor fill_(Scalar value) => InPlace(Aten.Fill_, value);
    /// <summary>In place: every element = 0.</summary>
    public Tensor zero_() { CallFrame.Begin().Add(this).CallInPlace(Aten.Zero_); return this; }
    /// <summary>In place: values drawn uniformly from [from, to) with the global generator.</summary>
    public Tensor uniform_(double from = 0, double to = 1) { CallFrame.Begin().Add(this).Add(from).Add(to).AddNone().CallInPlace(Aten.Uniform_); return this; }
    /// <summary>In place: values drawn from N(mean, std²) with the global generator.</summary>
    public Tensor normal_(double mean = 0, double std = 1) { CallFrame.Begin().Add(this).Add(mean).Add(std).AddNone().CallInPlace(Aten.Normal_); return this; }
}
