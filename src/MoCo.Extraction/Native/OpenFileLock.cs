using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MoCo.Extraction.Native;

/// <summary>
/// Linux open-file-description locks (<c>fcntl(F_OFD_SETLK)</c>, Linux 3.15+): an exclusive lock on a whole file that
/// belongs to the open file, not the process, so a second open in the same process conflicts too, closing another
/// descriptor of the file does not drop it (as it would a classic POSIX lock), and the kernel drops it when the holder
/// dies however it dies. On NFS the server keeps it (NLM or NFSv4 locks).
/// </summary>
internal static partial class OpenFileLock
{
    private const int FOfdSetLk = 37; // F_OFD_SETLK, <bits/fcntl-linux.h>
    private const short FWrLck = 1;
    private const short FUnLck = 2;
    private const int EAgain = 11;
    private const int EAccess = 13;

    /// <summary>Takes the lock without waiting; false when another open file holds it.</summary>
    /// <exception cref="IOException">fcntl failed for another reason (the message names the file and errno).</exception>
    public static bool TryLock(SafeFileHandle file, string path) => Set(file, path, FWrLck);

    /// <summary>Drops the lock (closing the file drops it too).</summary>
    public static void Unlock(SafeFileHandle file, string path) => Set(file, path, FUnLck);

    private static bool Set(SafeFileHandle file, string path, short type)
    {
        // struct flock on 64-bit Linux: short l_type, short l_whence, off_t l_start, off_t l_len, pid_t l_pid (0 for OFD locks).
        var request = new Flock { Type = type, Whence = 0, Start = 0, Length = 0, Pid = 0 };
        if (Fcntl(file, FOfdSetLk, ref request) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno is EAgain or EAccess)
        {
            return false;
        }

        throw new IOException($"cannot lock {path}: fcntl(F_OFD_SETLK) failed with errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)}).");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Flock
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(SafeFileHandle fd, int command, ref Flock request);
}
