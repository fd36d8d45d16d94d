using MoCo.Extraction.Store;

namespace MoCo.Extraction.Reading;

/// <summary>
/// Opens a store's files ahead of the reader, on the thread pool: each file's manifest lines and its features (a
/// Parquet file decoded whole; an .npy file opened, its slices read by the consumer) are made ready in a
/// <see cref="FileSlot"/> while the consumer goes through the previous file, several files at once where there are
/// cores for it (Parquet.Net decodes one file on one thread). Memory: one slot per file in flight plus the one being read.
/// </summary>
internal sealed class FileReadAhead : IDisposable
{
    private readonly Func<FileSlot, int, FileSlot> _load;
    private readonly IReadOnlyList<int> _files;
    private readonly Queue<Task<FileSlot>> _pending = new();
    private readonly Stack<FileSlot> _free = new();
    private readonly List<FileSlot> _all = [];
    private readonly int _depth;
    private int _next;

    /// <param name="files">The file indices to read, in order.</param>
    /// <param name="load">Fills a slot with a file (runs on the thread pool, one slot per call).</param>
    public FileReadAhead(IReadOnlyList<int> files, Func<FileSlot, int, FileSlot> load)
    {
        _files = files;
        _load = load;
        _depth = Math.Clamp(Environment.ProcessorCount - 1, 1, 4);
        Fill();
    }

    /// <summary>The next file, ready; null after the last. The previous slot returns to the pool.</summary>
    public FileSlot? Next(FileSlot? done)
    {
        if (done is not null)
        {
            done.Release();
            _free.Push(done);
        }

        if (_pending.Count == 0)
        {
            return null;
        }

        var slot = _pending.Dequeue().GetAwaiter().GetResult();
        Fill();
        return slot;
    }

    public void Dispose()
    {
        // Let loads in flight end before their slots' connections and files are closed.
        foreach (var task in _pending)
        {
            try
            {
                task.GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException)
            {
                // The enumeration is being abandoned (often because of this very error, already thrown once).
            }
        }

        foreach (var slot in _all)
        {
            slot.Dispose();
        }
    }

    private void Fill()
    {
        while (_pending.Count < _depth && _next < _files.Count)
        {
            if (!_free.TryPop(out var slot))
            {
                slot = new FileSlot();
                _all.Add(slot);
            }

            var file = _files[_next++];
            _pending.Enqueue(Task.Run(() => _load(slot, file)));
        }
    }
}

/// <summary>One file made ready by <see cref="FileReadAhead"/>: its manifest lines and an open feature reader.</summary>
internal sealed class FileSlot : IDisposable
{
    public int FileIndex { get; set; }

    public int[] Items { get; private set; } = [];

    public int[] Labels { get; private set; } = [];

    public string[]? Paths { get; private set; }

    public ParquetBuffers Parquet { get; } = new();

    public IFeatureFileReader? Features { get; set; }

    /// <summary>This slot's own manifest connection (SQLite connections are used by one thread at a time).</summary>
    public ManifestReader? Manifest { get; set; }

    public void ReadManifest(string folder, string shard, int rows, bool paths)
    {
        Manifest ??= ManifestReader.Open(folder);
        if (Items.Length < rows)
        {
            Items = new int[rows];
            Labels = new int[rows];
        }

        if (paths && (Paths is null || Paths.Length < rows))
        {
            Paths = new string[rows];
        }

        Manifest.ReadFile(shard, rows, Items, Labels, paths ? Paths : null);
    }

    /// <summary>Closes the file; keeps the buffers and the connection for the next one.</summary>
    public void Release()
    {
        Features?.Dispose();
        Features = null;
    }

    public void Dispose()
    {
        Release();
        Manifest?.Dispose();
        Parquet.Dispose();
    }
}
