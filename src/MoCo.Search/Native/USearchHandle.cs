using System.Runtime.InteropServices;

namespace MoCo.Search.Native;

/// <summary>A USearch index (<c>usearch_index_t</c>), freed with <c>usearch_free</c> when disposed.</summary>
internal sealed class USearchHandle : SafeHandle
{
    public USearchHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        USearchNative.Free(handle, out var error);
        return error == IntPtr.Zero;
    }
}
