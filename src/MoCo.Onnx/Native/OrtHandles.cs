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
