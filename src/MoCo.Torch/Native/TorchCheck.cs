using System.Runtime.InteropServices;

namespace MoCo.Torch.Native;

/// <summary>Turns the shim's sentinels into <see cref="TorchException"/>s carrying libtorch's message.</summary>
internal static unsafe class TorchCheck
{
    internal static int Status(int status)
    {
        if (status < 0) Throw();
        return status;
    }

    internal static IntPtr Handle(IntPtr handle)
    {
        if (handle == IntPtr.Zero) Throw();
        return handle;
    }

    internal static void Throw()
    {
        byte* message = NativeMethods.moco_last_error();
        string text = message == null ? "libtorch call failed without a message" : Marshal.PtrToStringUTF8((IntPtr)message)!;
        NativeMethods.moco_clear_error();
        throw new TorchException(text);
    }
}
