using MoCo.Extraction.Native;

namespace MoCo.Extraction.Store;

/// <summary>Writes a file so that it is complete on disk under its final name or not there at all: temporary file, fsync, rename, fsync of the folder.</summary>
internal static class DurableFile
{
    /// <summary>Suffix of files being written; a store deletes leftovers when it opens.</summary>
    public const string TemporarySuffix = ".tmp";

    public static void Write(string path, Action<FileStream> write)
    {
        var temporary = path + TemporarySuffix;
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16))
        {
            write(stream);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        PosixSync.Directory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="path"/> durably.</summary>
    public static void Copy(string source, string path) => Write(path, stream =>
    {
        using var input = File.OpenRead(source);
        input.CopyTo(stream);
    });
}
