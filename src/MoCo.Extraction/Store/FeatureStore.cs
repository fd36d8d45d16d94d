using System.Globalization;

namespace MoCo.Extraction.Store;

/// <summary>
/// A store folder: <c>manifest.db</c> and feature files <c>part-NNNNNN.parquet|.npy</c>. Opening it checks that the
/// run's settings match the store's and deletes files the manifest does not know (a part written or renamed by a
/// run killed before its commit), so a resumed run starts from the last commit. A run holds the store's
/// <see cref="StoreWriterLock"/> from before it opens the manifest until it is disposed, so a second writer is refused
/// before it touches anything.
/// </summary>
internal sealed class FeatureStore : IDisposable
{
    private const string PartPrefix = "part-";
    private readonly Manifest _manifest;
    private readonly IFeatureFileWriter _writer;
    private readonly StoreWriterLock _lock;
    private int _nextPart;

    private FeatureStore(string folder, StoreWriterLock writerLock, Manifest manifest, IFeatureFileWriter writer, StoreSettings settings)
    {
        Folder = folder;
        _lock = writerLock;
        _manifest = manifest;
        _writer = writer;
        Settings = settings;
        var shards = manifest.Shards();
        _nextPart = shards.Count == 0 ? 0 : shards.Max(s => PartNumber(s.Name)) + 1;
        DeleteUnknownFiles(shards.Select(s => s.Name).ToHashSet(StringComparer.Ordinal));
    }

    public string Folder { get; }

    public StoreSettings Settings { get; }

    /// <summary>The holder line of a writer that died holding the lock, or null.</summary>
    public string? TookOverLockFrom => _lock.TakenOverFrom;

    /// <summary>Opens <paramref name="folder"/> for a run with <paramref name="settings"/>, creating it when new.</summary>
    /// <exception cref="InvalidOperationException">The store was made with other settings (the message lists them).</exception>
    public static FeatureStore OpenForRun(string folder, StoreSettings settings)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (File.Exists(folder))
        {
            throw new IOException($"--out {folder} is a file; give a folder for the store.");
        }

        if (Directory.Exists(folder) && !File.Exists(Path.Combine(folder, Manifest.FileName)) && !IsEmpty(folder))
        {
            throw new IOException($"--out {folder} exists, is not empty and holds no {Manifest.FileName}: not a feature store; give a new or empty folder.");
        }

        Directory.CreateDirectory(folder);
        var writerLock = StoreWriterLock.Acquire(folder, "moco extract");
        Manifest manifest;
        try
        {
            manifest = Manifest.Open(folder);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            writerLock.Dispose();
            throw new InvalidDataException($"store {folder}: {Manifest.FileName} cannot be opened as a manifest: {e.Message}", e);
        }
        catch
        {
            writerLock.Dispose();
            throw;
        }

        try
        {
            var stored = manifest.ReadSettings();
            if (stored.Count == 0)
            {
                manifest.WriteSettings(settings.ToPairs());
            }
            else
            {
                var mismatches = settings.Mismatches(StoreSettings.FromPairs(stored, folder));
                if (mismatches.Count > 0)
                {
                    throw new InvalidOperationException(
                        $"store {folder} was made with other settings, so this run cannot add to it:\n  {string.Join("\n  ", mismatches)}\n" +
                        "Use a new --out folder (or the store's model, preprocessing, source and --shard).");
                }
            }

            return new FeatureStore(folder, writerLock, manifest, Writer(settings), settings);
        }
        catch
        {
            manifest.Dispose();
            writerLock.Dispose();
            throw;
        }
    }

    /// <summary>Whether <paramref name="folder"/> holds nothing but, maybe, a writer lock (left by a run killed before its manifest).</summary>
    internal static bool IsEmpty(string folder) =>
        !Directory.EnumerateFileSystemEntries(folder).Any(e => Path.GetFileName(e) != StoreWriterLock.FileName);

    /// <summary>Source items already in the store.</summary>
    public HashSet<int> DoneItems() => _manifest.DoneItems();

    /// <summary>
    /// Makes <paramref name="part"/> durable: its rows as the next feature file (temporary file, fsync, rename, folder
    /// fsync), then the file and all its images (failures included) in one manifest transaction. Returns the file's
    /// name, or null when the part held failures only.
    /// </summary>
    public string? Commit(FeaturePart part)
    {
        if (part.ItemCount == 0)
        {
            return null;
        }

        string? name = null;
        if (part.Rows > 0)
        {
            name = string.Create(CultureInfo.InvariantCulture, $"{PartPrefix}{_nextPart:D6}{_writer.Extension}");
            DurableFile.Write(Path.Combine(Folder, name), stream => _writer.Write(stream, part));
            _nextPart++;
        }

        try
        {
            _manifest.Commit(name, part.Rows, part.Records(name));
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            // Cannot happen while the writer lock holds (one writer per store); say what it means if it does.
            throw new InvalidDataException($"store {Folder}: the manifest refused {name ?? "a part"} ({e.Message}); was the store written by another process without its lock?", e);
        }

        return name;
    }

    public void Dispose()
    {
        _manifest.Dispose();
        _lock.Dispose();
    }

    internal static IFeatureFileWriter Writer(StoreSettings settings) => settings.Format switch
    {
        StoreFormat.Parquet => new ParquetFeatureWriter(settings.Labelled, settings.ToPairs().ToDictionary(p => "moco." + p.Key, p => p.Value)),
        StoreFormat.Npy => new NpyFeatureWriter(),
        _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Format, "unknown format"),
    };

    private static int PartNumber(string name) =>
        name.StartsWith(PartPrefix, StringComparison.Ordinal) && int.TryParse(name.AsSpan(PartPrefix.Length, 6), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;

    private void DeleteUnknownFiles(HashSet<string> known)
    {
        foreach (var file in Directory.EnumerateFiles(Folder, PartPrefix + "*"))
        {
            if (!known.Contains(Path.GetFileName(file)))
            {
                File.Delete(file);
            }
        }
    }
}
