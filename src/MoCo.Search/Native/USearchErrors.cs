using System.Runtime.InteropServices;

namespace MoCo.Search.Native;

/// <summary>The one check after every USearch call: a set error slot becomes an exception carrying USearch's message.</summary>
internal static class USearchErrors
{
    /// <summary>Throws when <paramref name="error"/> is set; <paramref name="what"/> names the operation and file.</summary>
    /// <exception cref="InvalidOperationException">USearch reported an error.</exception>
    public static void Check(IntPtr error, string what)
    {
        if (error != IntPtr.Zero)
        {
            throw new InvalidOperationException($"USearch: {what}: {Marshal.PtrToStringUTF8(error)}");
        }
    }

    /// <summary>As <see cref="Check"/>, for reading a file: a file USearch cannot read is bad data, named.</summary>
    /// <exception cref="InvalidDataException">USearch could not read the file.</exception>
    public static void CheckRead(IntPtr error, string path)
    {
        if (error != IntPtr.Zero)
        {
            throw new InvalidDataException($"{path}: not a readable USearch index: {Marshal.PtrToStringUTF8(error)}");
        }
    }
}
