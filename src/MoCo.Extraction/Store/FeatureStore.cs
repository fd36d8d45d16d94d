using System.Globalization;

namespace MoCo.Extraction.Store;

/// <summary>
/// A store folder: <c>manifest.db</c> and feature files <c>part-NNNNNN.parquet|.npy</c>. Opening it checks that the
/// run's settings match the store's and deletes files the manifest does not know (a part written or renamed by a
/// run killed before its commit), so a resumed run starts from the last commit.
/// </summary>
internal sealed class FeatureStore : IDisposable
{
    private const string PartPrefix = "part-";
    private readonly Manifest _manifest;
    private readonly IFeatureFileWriter _writer;
    private int _nextPart;

    private FeatureStore(string folder, Manifest manifest, IFeatureFileWriter writer, StoreSettings settings)
    {
        Folder = folder;
        _manifest = manifest;
        _writer = writer;
        Settings = settings;
        var shards = manifest.Shards();
        _nextPart = shards.Count == 0 ? 0 : shards.Max(s => PartNumber(s.Name)) + 1;
        DeleteUnknownFiles(shards.Select(s => s.Name).ToHashSet(StringComparer.Ordinal));
    }

    public string Folder { get; }

    public StoreSettings Settings { get; }

    /// <summary>Opens <paramref name="folder"/> for a run with <paramref name="settings"/>, creating it when new.</summary>
    /// <exception cref="InvalidOperationException">The store was made with other settings (the message lists them).</exception>
    public static FeatureStore OpenForRun(string folder, StoreSettings settings)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (File.Exists(folder))
        {
            throw new IOException($"--out {folder} is a file; give a folder for the store.");
        }

        if (Directory.Exists(folder) && !File.Exists(Path.Combine(folder, Manifest.FileName)) && Directory.EnumerateFileSystemEntries(folder).Any())
        {
            throw new IOException($"--out {folder} exists, is not empty and holds no {Manifest.FileName}: not a feature store; give a new or empty folder.");
        }

        Directory.CreateDirectory(folder);
        Manifest manifest;
        try
        {
            manifest = Manifest.Open(folder);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            throw new InvalidDataException($"store {folder}: {Manifest.FileName} cannot be opened as a manifest: {e.Message}", e);
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

            return new FeatureStore(folder, manifest, Writer(settings), settings);
        }
        catch
        {
            manifest.Dispose();
            throw;
        }
    }

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

        _manifest.Commit(name, part.Rows, part.Records(name));
        return name;
    }

    public void Dispose() => _manifest.Dispose();

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
