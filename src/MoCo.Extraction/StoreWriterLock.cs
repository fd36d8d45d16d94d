using System.Globalization;
using System.Text;
using MoCo.Extraction.Native;

namespace MoCo.Extraction;

/// <summary>
/// The one-writer lock of a feature store (or of an index beside it): the file <c>writer.lock</c> in its folder,
/// locked by the operating system while a writer (<c>moco extract</c>, <c>moco extract merge</c>, an index build) runs,
/// and holding the writer's pid, host, command and start time. A second writer is refused at once with a message
/// naming them. The lock dies with its process however it ends (the kernel drops it), so a store left by a killed run
/// never blocks the next one: the next writer takes it over and says whose it was. Readers never take it.
/// Linux: an open-file-description lock (fcntl). Windows: the file's share mode. Elsewhere: an exclusive open, whose
/// holder cannot be read while it runs.
/// </summary>
public sealed class StoreWriterLock : IDisposable
{
    /// <summary>The lock file's name in the folder.</summary>
    public const string FileName = "writer.lock";

    private readonly FileStream _file;
    private readonly string _path;
    private bool _released;

    private StoreWriterLock(FileStream file, string path, string? previous)
    {
        _file = file;
        _path = path;
        TakenOverFrom = previous;
    }

    /// <summary>The holder line of a writer that died holding the lock (pid, host, command, start), or null after a clean release.</summary>
    public string? TakenOverFrom { get; }

    /// <summary>Takes the lock of <paramref name="folder"/> (which must exist) for <paramref name="command"/>, without waiting.</summary>
    /// <param name="folder">The store (or index) folder.</param>
    /// <param name="command">What writes, for the holder line (e.g. <c>moco extract</c>).</param>
    /// <exception cref="InvalidOperationException">Another writer holds it; the message names its pid, host, command and start.</exception>
    /// <exception cref="IOException">The lock file cannot be made or locked.</exception>
    public static StoreWriterLock Acquire(string folder, string command)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentException.ThrowIfNullOrEmpty(command);
        var path = Path.Combine(folder, FileName);
        FileStream? file = null;
        try
        {
            if (OperatingSystem.IsLinux())
            {
                file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                if (!OpenFileLock.TryLock(file.SafeFileHandle, path))
                {
                    throw Held(folder, ReadHolder(file));
                }
            }
            else
            {
                file = OpenExclusive(path, folder);
            }

            var previous = ReadHolder(file);
            file.SetLength(0);
            var holder = string.Create(CultureInfo.InvariantCulture,
                $"pid {Environment.ProcessId} on host {Environment.MachineName} ({command}, since {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ})\n");
            file.Write(Encoding.UTF8.GetBytes(holder));
            file.Flush(flushToDisk: true);
            return new StoreWriterLock(file, path, string.IsNullOrWhiteSpace(previous) ? null : previous);
        }
        catch
        {
            file?.Dispose();
            throw;
        }
    }

    /// <summary>Empties the holder line and drops the lock; the file stays (removing it could let two writers lock two files).</summary>
    public void Dispose()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        try
        {
            _file.SetLength(0);
            _file.Flush(flushToDisk: true);
            if (OperatingSystem.IsLinux())
            {
                OpenFileLock.Unlock(_file.SafeFileHandle, _path);
            }
        }
        finally
        {
            _file.Dispose();
        }
    }

    private static FileStream OpenExclusive(string path, string folder)
    {
        try
        {
            // Windows: readers of the holder line may open it, no second writer can.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, OperatingSystem.IsWindows() ? FileShare.Read : FileShare.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            string? holder = null;
            try
            {
                using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                holder = ReadHolder(reader);
            }
            catch (IOException)
            {
                // macOS and others: an exclusive open hides the line until its holder ends.
            }

            throw Held(folder, holder);
        }
    }

    private static string ReadHolder(FileStream file)
    {
        file.Position = 0;
        var bytes = new byte[Math.Min(file.Length, 4096)];
        file.ReadExactly(bytes);
        file.Position = 0;
        return Encoding.UTF8.GetString(bytes).Trim();
    }

    private static InvalidOperationException Held(string folder, string? holder) => new(
        $"store {folder} is being written by another process: {(string.IsNullOrWhiteSpace(holder) ? "(its pid and host are not readable here)" : holder)}. " +
        $"One writer at a time: wait for it to end, or stop it (a killed writer's lock is released by the system; {FileName} need not be deleted). Reading needs no lock.");

    /// <summary>This process's holder prefix, as written in the lock (for tests and messages).</summary>
    internal static string ThisProcess => string.Create(CultureInfo.InvariantCulture, $"pid {Environment.ProcessId} on host {Environment.MachineName}");
}
