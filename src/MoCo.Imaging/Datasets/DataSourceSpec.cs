using MoCo.Imaging.Idx;

namespace MoCo.Imaging.Datasets;

/// <summary>
/// A data source as every command and library names it (<c>--data</c>, <c>--train</c>, <c>--test</c>, …), parsed once:
/// <list type="bullet">
/// <item><c>fashion-mnist[:train|test]</c>: Debian's Fashion-MNIST, with its class names;</item>
/// <item><c>idx:DIR[:train|test]</c>: an MNIST-layout folder, <c>{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]</c>;</item>
/// <item>an existing folder: <c>root/&lt;class&gt;/**</c> when it has subfolders (labelled, classes in ordinal order), else every image under it, unlabelled;</item>
/// <item>an existing <c>.txt</c>/<c>.csv</c> file: a list of <c>path[,label]</c> lines (<see cref="ImageDatasets.FromList"/>),
/// or, when its first line is <c># moco selection of: SOURCE</c>, some items of SOURCE with its labels (<see cref="SelectionList"/>).</item>
/// </list>
/// An existing folder or list wins over the prefixes, so a folder named <c>fashion-mnist</c> is read as a folder. IDX
/// sources without a split take the caller's default (training data: train; test data: test).
/// </summary>
/// <example><code>
/// var spec = DataSourceSpec.Parse("idx:/data/mnist");
/// IImageDataset test = spec.Open(defaultTrain: false); // t10k-* files
/// </code></example>
public sealed class DataSourceSpec
{
    /// <summary>The accepted forms, as error messages and option descriptions list them.</summary>
    public const string Forms = "fashion-mnist[:train|test], idx:DIR[:train|test], a folder (root/<class>/* for labels) or a .txt/.csv list (path[,label], or a moco select list)";

    private DataSourceSpec()
    {
    }

    /// <summary>The source as given.</summary>
    public string Text { get; private init; } = "";

    /// <summary>What it names.</summary>
    public DataSourceKind Kind { get; private init; }

    /// <summary>The folder or list as given; for IDX sources the folder of the IDX files (<see cref="FashionMnist.Directory"/> for Fashion-MNIST).</summary>
    public string Path { get; private init; } = "";

    /// <summary>The split asked for (true: train, false: test), or null when none was (and always for image files).</summary>
    public bool? Train { get; private init; }

    /// <summary>For a <see cref="DataSourceKind.Selection"/>: the source its items belong to; otherwise null.</summary>
    public DataSourceSpec? SelectionOf { get; private init; }

    /// <summary>Whether it names image files (a folder, a list, a selection of files) rather than IDX data.</summary>
    public bool IsFiles => Kind is DataSourceKind.Folder or DataSourceKind.List || SelectionOf is { IsFiles: true };

    /// <summary>Parses a data source; the existence of folders and lists is checked now, IDX files when opened.</summary>
    /// <exception cref="ArgumentException">Not one of the <see cref="Forms"/>, or a split other than train or test.</exception>
    public static DataSourceSpec Parse(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        if (Directory.Exists(text))
        {
            return new DataSourceSpec { Text = text, Kind = DataSourceKind.Folder, Path = text };
        }

        if (File.Exists(text) && (text.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) || text.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)))
        {
            return SelectionList.SourceOf(text) is { } source
                ? new DataSourceSpec { Text = text, Kind = DataSourceKind.Selection, Path = text, SelectionOf = Parse(source) }
                : new DataSourceSpec { Text = text, Kind = DataSourceKind.List, Path = text };
        }

        string[] parts = text.Split(':');
        if (parts[0] == "fashion-mnist" && parts.Length <= 2)
        {
            return new DataSourceSpec { Text = text, Kind = DataSourceKind.FashionMnist, Path = FashionMnist.Directory, Train = Split(parts, 1, text) };
        }

        if (parts[0] == "idx" && parts.Length is 2 or 3 && parts[1].Length > 0)
        {
            return new DataSourceSpec { Text = text, Kind = DataSourceKind.Idx, Path = parts[1], Train = Split(parts, 2, text) };
        }

        throw new ArgumentException($"'{text}' is not a data source (nor an existing folder or .txt/.csv list): use {Forms}");
    }

    /// <summary>The split to read: <see cref="Train"/>, else <paramref name="defaultTrain"/>.</summary>
    public bool IsTrain(bool defaultTrain) => Train ?? defaultTrain;

    /// <summary>The same IDX source's test split (<c>idx:DIR:test</c>, <c>fashion-mnist:test</c>): the default test data of a training source.</summary>
    /// <exception cref="ArgumentException">Image files, which have no split.</exception>
    public DataSourceSpec TestSplit() => SelectionOf is { } of && !of.IsFiles ? of.TestSplit() : IsFiles
        ? throw new ArgumentException($"'{Text}' is image files, which have no test split: give the test images")
        : new DataSourceSpec { Text = Kind == DataSourceKind.FashionMnist ? "fashion-mnist:test" : $"idx:{Path}:test", Kind = Kind, Path = Path, Train = false };

    /// <summary>The same source with its folder, list or IDX folder as a full path.</summary>
    public DataSourceSpec WithFullPath() => Kind == DataSourceKind.FashionMnist
        ? this
        : new DataSourceSpec { Text = Text, Kind = Kind, Path = System.IO.Path.GetFullPath(Path), Train = Train, SelectionOf = SelectionOf };

    /// <summary>
    /// One name for the source and split: the folder or list path, <c>fashion-mnist:train|test</c> or
    /// <c>idx:DIR:train|test</c> (the split made explicit). Feature stores keep it to refuse resuming over another source.
    /// </summary>
    public string Canonical(bool defaultTrain = true) => Kind switch
    {
        DataSourceKind.FashionMnist => $"fashion-mnist:{SplitName(defaultTrain)}",
        DataSourceKind.Idx => $"idx:{Path}:{SplitName(defaultTrain)}",
        _ => Path,
    };

    /// <summary>The image and label files of an IDX source's split.</summary>
    /// <exception cref="ArgumentException">Image files, or a selection (whose items are read through <see cref="Open"/>).</exception>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    public (string Images, string Labels) IdxFiles(bool defaultTrain = true) => Kind == DataSourceKind.Selection
        ? throw new ArgumentException($"'{Text}' is a selection of {SelectionOf}'s items, not whole IDX files; this command reads whole IDX data sets (give {SelectionOf})")
        : IsFiles
        ? throw new ArgumentException($"'{Text}' is image files, not IDX data")
        : IdxSplit.Locate(Path, IsTrain(defaultTrain));

    /// <summary>
    /// The images: a folder through <see cref="ImageDatasets.FromFolder"/> (class subfolders when it has any), a list
    /// through <see cref="ImageDatasets.FromList"/>, IDX data in memory (Fashion-MNIST with its class names, other IDX
    /// data with "0".."max label"), a selection as its listed items of its source (<see cref="SelectionList.Open"/>).
    /// </summary>
    public IImageDataset Open(bool defaultTrain = true)
    {
        switch (Kind)
        {
            case DataSourceKind.Folder:
                return ImageDatasets.FromFolder(Path, classSubfolders: Directory.EnumerateDirectories(Path).Any());
            case DataSourceKind.List:
                return ImageDatasets.FromList(Path);
            case DataSourceKind.Selection:
                return SelectionList.Open(Path, SelectionOf!.Open(defaultTrain));
            default:
                var (images, labels) = IdxFiles(defaultTrain);
                return ImageDatasets.FromIdx(images, labels, Kind == DataSourceKind.FashionMnist ? FashionMnist.Classes : null);
        }
    }

    /// <summary>The source as given.</summary>
    public override string ToString() => Text;

    private string SplitName(bool defaultTrain) => IsTrain(defaultTrain) ? "train" : "test";

    private static bool? Split(string[] parts, int index, string text) => parts.Length <= index ? null : parts[index] switch
    {
        "train" => true,
        "test" => false,
        _ => throw new ArgumentException($"'{parts[index]}' in '{text}' is not train or test"),
    };
}
