using System.Runtime.InteropServices;
using System.Text;

namespace MoCo.Torch.Native;

/// <summary>An ATen operator, found once in the dispatcher by name and overload ("aten::add", "Tensor")
/// and called boxed through <see cref="CallFrame"/>. The lookup happens on first use, so an operator a
/// libtorch version lacks fails only where it is called, with libtorch's message.</summary>
internal sealed class Op(string name, string overload = "")
{
    private IntPtr handle;

    internal string Name { get; } = name;
    internal string Overload { get; } = overload;

    internal IntPtr Handle
    {
        get
        {
            IntPtr h = Volatile.Read(ref handle);
            if (h != IntPtr.Zero) return h;
            h = TorchCheck.Handle(NativeMethods.moco_op_find(Name, Overload));
            // A race only costs a duplicate process-lifetime handle.
            Volatile.Write(ref handle, h);
            return h;
        }
    }

    /// <summary>The operator's schema as libtorch prints it, for messages and tests.</summary>
    internal unsafe string Schema()
    {
        int n = TorchCheck.Status(NativeMethods.moco_op_schema(Handle, null, 0));
        var buffer = new byte[n + 1];
        fixed (byte* p = buffer) TorchCheck.Status(NativeMethods.moco_op_schema(Handle, p, buffer.Length));
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    public override string ToString() => Overload.Length == 0 ? Name : $"{Name}.{Overload}";
}
