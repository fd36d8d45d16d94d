using System.Runtime.InteropServices;

namespace MoCo.Torch.Native;

/// <summary>Tags of <see cref="NativeValue"/>; the twin of moco_tag in native/src/moco_torch.h.</summary>
internal enum ValueTag
{
    None = 0,
    Default = 1,
    Tensor = 2,
    Int = 3,
    Double = 4,
    Bool = 5,
    IntList = 6,
    DoubleList = 7,
    TensorList = 8,
    String = 9,
    Device = 10,
    BoolList = 11,
    OptionalTensorList = 12,
}

/// <summary>A tagged operator argument or result (32 bytes, the twin of moco_value).</summary>
[StructLayout(LayoutKind.Sequential, Size = 32)]
internal struct NativeValue
{
    public ValueTag Tag;
    public int Length;
    public long Int;
    public double Double;
    public IntPtr Pointer;
}
