using System.Runtime.InteropServices;

namespace MoCo.Onnx.Native;

/// <summary>Base of every ORT handle: released exactly once, by Dispose (a finalizer is only a safety net).</summary>
internal abstract class OrtHandle : SafeHandle
{
    protected OrtHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;
}

internal sealed class OrtEnvHandle(IntPtr h) : OrtHandle(h)
{
    protected override bool ReleaseHandle() { OrtApi.ReleaseEnv(handle); return true; }
}

internal sealed class OrtSessionOptionsHandle(IntPtr h) : OrtHandle(h)
{
    protected override bool ReleaseHandle() { OrtApi.ReleaseSessionOptions(handle); return true; }
}

internal sealed class OrtSessionHandle(IntPtr h) : OrtHandle(h)
{
    protected override bool ReleaseHandle() { OrtApi.ReleaseSession(handle); return true; }
}

internal sealed class OrtValueHandle(IntPtr h) : OrtHandle(h)
{
    protected override bool ReleaseHandle() { OrtApi.ReleaseValue(handle); return true; }
}

internal sealed class OrtTypeInfoHandle(IntPtr h) : OrtHandle(h)
{
    protected override bool ReleaseHandle() { OrtApi.ReleaseTypeInfo(handle); return true; }
}

internal sealed class OrtTensorInfoHandle(IntPtr h) : OrtHandle(h)
{
    protected override bool ReleaseHandle() { OrtApi.ReleaseTensorTypeAndShapeInfo(handle); return true; }
}

internal sealed class OrtMemoryInfoHandle(IntPtr h) : OrtHandle(h)
{
    protected override bool ReleaseHandle() { OrtApi.ReleaseMemoryInfo(handle); return true; }
}

internal sealed class OrtModelMetadataHandle(IntPtr h) : OrtHandle(h)
{
    protected override bool ReleaseHandle() { OrtApi.ReleaseModelMetadata(handle); return true; }
}

/// <summary>A native array of NUL-terminated UTF-8 strings (input/output names handed to Run), freed with the handle.</summary>
internal sealed unsafe class NativeStringArray : OrtHandle
{
    private readonly int _count;

    private NativeStringArray(IntPtr array, int count) : base(array) => _count = count;

    internal byte** Pointer => (byte**)handle;

    internal static NativeStringArray Create(IReadOnlyList<string> strings)
    {
        var array = (byte**)System.Runtime.InteropServices.NativeMemory.AllocZeroed((nuint)Math.Max(1, strings.Count), (nuint)sizeof(byte*));
        for (var i = 0; i < strings.Count; i++)
        {
            var bytes = OrtApi.Utf8(strings[i]);
            array[i] = (byte*)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)bytes.Length);
            bytes.CopyTo(new Span<byte>(array[i], bytes.Length));
        }

        return new NativeStringArray((IntPtr)array, strings.Count);
    }

    protected override bool ReleaseHandle()
    {
        var array = (byte**)handle;
        for (var i = 0; i < _count; i++)
        {
            System.Runtime.InteropServices.NativeMemory.Free(array[i]);
        }

        System.Runtime.InteropServices.NativeMemory.Free(array);
        return true;
    }
}
