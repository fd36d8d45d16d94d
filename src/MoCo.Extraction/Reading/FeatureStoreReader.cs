using MoCo.Evaluation;
using MoCo.Extraction.Store;
using MoCo.MLNet;

namespace MoCo.Extraction.Reading;

/// <summary>
/// Reads a feature store (<c>moco extract</c>'s output, either <c>--format</c>, merged or not) without taking its
/// writer lock: the settings it was made with, then its rows streamed in store order — feature files in name order,
/// rows in file order — each with its source item, label, path and features. A store only grows by new files at the
/// end (a resumed or extended extraction), so a row's <see cref="FeatureStoreBatch.Offset"/>-based position never
/// changes. The reader is a snapshot: the files committed when it was opened; open it again to see later ones.
/// </summary>
/// <example>
/// <code>
/// var store = FeatureStoreReader.Open("features/");
/// foreach (var batch in store.ReadBatches())
///     for (var i = 0; i &lt; batch.Count; i++)
///         Use(batch.Path(i), batch.Label(i), batch.Features(i));   // valid until the next batch
/// var all = store.ReadAll();                                      // or everything in one FeatureMatrix
/// using var featurizer = store.OpenFeaturizer();                  // a query image, with the store's own model
/// </code>
/// </example>
public sealed class FeatureStoreReader
{
    /// <summary>Default most rows per batch.</summary>
    public const int DefaultBatchRows = 4096;

    private readonly StoreSettings _settings;
    private readonly List<(string Name, int Rows)> _files;
    private readonly long[] _fileStarts;

    private FeatureStoreReader(string folder, StoreSettings settings, List<(string Name, int Rows)> files, int maxLabel, bool indexed)
    {
        Folder = folder;
        _settings = settings;
        _files = files;
        _fileStarts = new long[files.Count + 1];
        for (var f = 0; f < files.Count; f++)
        {
            _fileStarts[f + 1] = _fileStarts[f] + files[f].Rows;
        }

        LabelNames = settings.LabelNames ?? [];
        ClassCount = Math.Max(LabelNames.Count, maxLabel + 1);
        Indexed = indexed;
    }

    /// <summary>The store folder, as given.</summary>
    public string Folder { get; }

    /// <summary>Full path of the encoder the store was made with (where it was at extraction).</summary>
    public string ModelPath => _settings.ModelPath;

    /// <summary>SHA-256 (lowercase hex) of that encoder's bytes: the model's identity.</summary>
    public string ModelSha256 => _settings.ModelSha256;

    /// <summary>The preprocessing the features were made with, as one line (resize, crop, channels, mean, std).</summary>
    public string Preprocessing => _settings.Preprocessing;

    /// <summary>Values per feature vector.</summary>
    public int FeatureDimension => _settings.FeatureDimension;

    /// <summary>Feature file format: <c>parquet</c> or <c>npy</c>.</summary>
    public string Format => _settings.Format.ToString().ToLowerInvariant();

    /// <summary>The source the store was extracted from (its canonical spec, with full paths).</summary>
    public string Source => _settings.Source;

    /// <summary>Items in the whole source (all shards).</summary>
    public int SourceCount => _settings.SourceCount;

    /// <summary>The <c>--shard</c> the store holds: <c>i/n</c>, <c>0/1</c> for the whole source, or merged parts joined by '+'.</summary>
    public string JobShard => _settings.JobShard;

    /// <summary>Whether the source's items carry labels.</summary>
    public bool Labelled => _settings.Labelled;

    /// <summary>Class names by label, as the source gave them (folder names, Fashion-MNIST's classes); empty when the store does not know them (unlabelled, or written before issue 20).</summary>
    public IReadOnlyList<string> LabelNames { get; }

    /// <summary>Number of classes: the names' count, or the largest label + 1; 0 when unlabelled.</summary>
    public int ClassCount { get; }

    /// <summary>Rows (readable images with features) in this snapshot.</summary>
    public long RowCount => _fileStarts[^1];

    /// <summary>Feature files in this snapshot.</summary>
    public int FileCount => _files.Count;

    /// <summary>Whether the manifest has the per-file index; without it (a store written before issue 20 and not opened by a writer since) each file's lines cost a scan of the manifest.</summary>
    internal bool Indexed { get; }

    /// <summary>Opens the store in <paramref name="folder"/> for reading (never blocks, nor is blocked by, a writer for longer than one of its commits).</summary>
    /// <exception cref="FileNotFoundException">The folder holds no manifest.db.</exception>
    /// <exception cref="InvalidDataException">The manifest is unreadable, of an unknown version, or lacks a setting.</exception>
    public static FeatureStoreReader Open(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        using var manifest = ManifestReader.Open(folder);
        var settings = StoreSettings.FromPairs(manifest.Settings(), folder);
        return new FeatureStoreReader(folder, settings, manifest.Shards(), manifest.MaxLabel(), manifest.HasIndex);
    }

    /// <summary>Images that could not be read at extraction (they have no row), in source order, with the reason.</summary>
    public IReadOnlyList<FeatureStoreFailure> Failures()
    {
        using var manifest = ManifestReader.Open(Folder);
        return manifest.Failures().Select(f => new FeatureStoreFailure(f.Item, f.Path, f.Error)).ToList();
    }

    /// <summary>
    /// Streams the rows from store position <paramref name="startRow"/> on, in store order, in batches of at most
    /// <paramref name="maxRows"/> rows of one file. Memory is one file's manifest lines plus one batch (Parquet: one
    /// file's features), whatever the store's size. Each enumeration opens its own manifest connection and files, so
    /// enumerations may run on several threads at once.
    /// </summary>
    /// <param name="fields">What to read; default everything.</param>
    /// <param name="startRow">First store position to read; default 0. A caller that read n rows earlier reads only the rows added since with n.</param>
    /// <param name="maxRows">Most rows per batch; default <see cref="DefaultBatchRows"/>.</param>
    /// <exception cref="InvalidDataException">A feature file does not match the manifest (rows, dimension, format).</exception>
    public IEnumerable<FeatureStoreBatch> ReadBatches(FeatureStoreFields fields = FeatureStoreFields.All, long startRow = 0, int maxRows = DefaultBatchRows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startRow);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(startRow, RowCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        return Batches(fields, startRow, maxRows);
    }

    /// <summary>Every row in one <see cref="FeatureMatrix"/> (row i = store position i) with its item, label and path.</summary>
    /// <exception cref="InvalidOperationException">The store holds more than a .NET array's 2³¹−1 values.</exception>
    public FeatureStoreTable ReadAll()
    {
        if (RowCount * FeatureDimension > Array.MaxLength)
        {
            throw new InvalidOperationException(
                $"store {Folder}: {RowCount} rows × {FeatureDimension} values do not fit one array; stream them with ReadBatches or the IDataView (MoCoStore.Load).");
        }

        var rows = (int)RowCount;
        var values = new float[rows * FeatureDimension];
        var items = new int[rows];
        var labels = new int[rows];
        var paths = new string[rows];
        foreach (var batch in ReadBatches())
        {
            var at = (int)batch.Offset;
            batch.AllFeatures.CopyTo(values.AsSpan(at * FeatureDimension));
            for (var i = 0; i < batch.Count; i++)
            {
                items[at + i] = batch.Item(i);
                labels[at + i] = batch.Label(i);
                paths[at + i] = batch.Path(i);
            }
        }

        return new FeatureStoreTable(new FeatureMatrix(values, rows, FeatureDimension), items, labels, paths);
    }

    /// <summary>
    /// Opens a featurizer that gives a new image features comparable with the store's: the store's own encoder
    /// (<see cref="ModelPath"/>) with its own preprocessing, default batch and threads.
    /// </summary>
    /// <exception cref="FileNotFoundException">The encoder is no longer there.</exception>
    /// <exception cref="InvalidOperationException">The file's bytes changed since the extraction (the message gives both hashes).</exception>
    public MoCoFeaturizer OpenFeaturizer()
    {
        if (!File.Exists(ModelPath))
        {
            throw new FileNotFoundException($"store {Folder} was made with the encoder {ModelPath}, which is not there any more; give the same file's new place.", ModelPath);
        }

        return OpenFeaturizer(new MoCoFeaturesOptions { ModelPath = ModelPath });
    }

    /// <summary>
    /// Opens a featurizer with <paramref name="options"/> (the encoder as <c>ModelPath</c> or <c>ModelBytes</c>, e.g. the
    /// store's file moved; batch size, threads, device, bad-image policy) and checks that it gives features comparable
    /// with the store's: the encoder's bytes and the preprocessing must be the store's.
    /// </summary>
    /// <exception cref="InvalidOperationException">The encoder or the preprocessing differs from the store's (the message gives both).</exception>
    public MoCoFeaturizer OpenFeaturizer(MoCoFeaturesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var featurizer = MoCoFeaturizer.Open(options);
        try
        {
            var model = options.ModelPath ?? "the given model bytes";
            if (featurizer.ModelSha256 != ModelSha256)
            {
                throw new InvalidOperationException(
                    $"store {Folder} was made with another model: its encoder {ModelPath} had SHA-256 {ModelSha256}; {model} has {featurizer.ModelSha256}. " +
                    "A query's features would not compare with the store's: give the store's encoder, or extract a new store with this one.");
            }

            var preprocessing = StoreSettings.Describe(featurizer.Preprocessing);
            if (preprocessing != Preprocessing)
            {
                throw new InvalidOperationException($"store {Folder} was made with the preprocessing {Preprocessing}; these options give {preprocessing}.");
            }

            return featurizer;
        }
        catch
        {
            featurizer.Dispose();
            throw;
        }
    }

    private IEnumerable<FeatureStoreBatch> Batches(FeatureStoreFields fields, long startRow, int maxRows)
    {
        var batch = new FeatureStoreBatch(FeatureDimension);
        var manifestNeeded = (fields & (FeatureStoreFields.ItemsAndLabels | FeatureStoreFields.Paths)) != 0;
        var paths = (fields & FeatureStoreFields.Paths) != 0;
        var features = (fields & FeatureStoreFields.Features) != 0;
        var files = Enumerable.Range(0, _files.Count).Where(f => _files[f].Rows > 0 && _fileStarts[f + 1] > startRow).ToList();
        using var ahead = new FileReadAhead(files, (slot, f) =>
        {
            var (name, rows) = _files[f];
            slot.FileIndex = f;
            if (manifestNeeded)
            {
                slot.ReadManifest(Folder, name, rows, paths);
            }

            slot.Features = features ? OpenFile(name, rows, slot.Parquet) : null;
            return slot;
        });
        FileSlot? slot = null;
        while ((slot = ahead.Next(slot)) is not null)
        {
            var f = slot.FileIndex;
            var (name, rows) = _files[f];
            for (var start = (int)Math.Max(0, startRow - _fileStarts[f]); start < rows; start += maxRows)
            {
                var count = Math.Min(maxRows, rows - start);
                slot.Features?.Read(start, batch.FeatureBuffer(count));
                batch.Set(name, _fileStarts[f] + start, start, count, fields, slot.Items, slot.Labels, slot.Paths);
                yield return batch;
            }
        }
    }

    private IFeatureFileReader OpenFile(string name, int rows, ParquetBuffers parquetBuffers)
    {
        var path = Path.Combine(Folder, name);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"store {Folder}: the manifest lists {name}, which is missing.", path);
        }

        return _settings.Format switch
        {
            StoreFormat.Npy => new NpyFeatureReader(path, rows, FeatureDimension),
            _ => new ParquetFeatureReader(path, rows, FeatureDimension, parquetBuffers),
        };
    }
}

/// <summary>An image of the source that extraction could not read: it has no row in the store.</summary>
/// <param name="Item">Its index in the source.</param>
/// <param name="Path">Its path or name.</param>
/// <param name="Error">Why it failed.</param>
public sealed record FeatureStoreFailure(int Item, string Path, string Error);

/// <summary>A whole store in memory (<see cref="FeatureStoreReader.ReadAll"/>): row i of every member is store position i.</summary>
/// <param name="Features">Rows × D features.</param>
/// <param name="Items">Each row's source item index.</param>
/// <param name="Labels">Each row's label, or -1.</param>
/// <param name="Paths">Each row's image path or name.</param>
public sealed record FeatureStoreTable(FeatureMatrix Features, IReadOnlyList<int> Items, IReadOnlyList<int> Labels, IReadOnlyList<string> Paths);
