using System.Runtime.InteropServices;

namespace MoCo.Extraction.Native;

/// <summary>
/// fsync of a directory (POSIX only; .NET cannot open a directory as a stream), so that a rename is on disk before
/// the manifest refers to the file. Failures are reported as <see cref="IOException"/> naming the folder.
/// </summary>
internal static partial class PosixSync
{
    private const int ReadOnly = 0;

    public static void Directory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // NTFS makes renames durable with the file's own flush.
        }

        var fd = Open(path, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"cannot open folder {path} to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of folder {path} failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
