using System.Globalization;
using MoCo.Imaging.Idx;

namespace MoCo.Imaging.Datasets;

/// <summary>Factories for the datasets MoCo.Imaging reads: image folders, path lists, IDX files, in-memory arrays.</summary>
public static class ImageDatasets
{
    /// <summary>File extensions taken as images (case-insensitive): .jpg, .jpeg, .png, .webp, .bmp, .gif (the file's signature, not its extension, decides how it is decoded).</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif"];

    /// <summary>Fashion-MNIST's class names, by label: <see cref="Datasets.FashionMnist.Classes"/>.</summary>
    public static IReadOnlyList<string> FashionMnistClasses => Datasets.FashionMnist.Classes;

    /// <summary>
    /// An image folder. With <paramref name="classSubfolders"/> (default true) it is torchvision's
    /// ImageFolder layout <c>root/&lt;class&gt;/**/*.jpg|png</c>: classes are the subfolder names in
    /// ordinal order, labelled 0..C-1, files under each found recursively in ordinal path order.
    /// Otherwise every image under <paramref name="root"/>, recursively, in ordinal order of the
    /// relative path, unlabelled (-1).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    /// <exception cref="InvalidDataException">The folder holds no images.</exception>
    public static IImageDataset FromFolder(string root, bool classSubfolders = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Image folder '{root}' does not exist.");
        }

        var paths = new List<string>();
        var labels = new List<int>();
        var classes = new List<string>();
        if (classSubfolders)
        {
            foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
            {
                classes.Add(Path.GetFileName(dir));
                foreach (var file in ImagesUnder(dir))
                {
                    paths.Add(file);
                    labels.Add(classes.Count - 1);
                }
            }
        }
        else
        {
            paths.AddRange(ImagesUnder(root));
            labels.AddRange(Enumerable.Repeat(-1, paths.Count));
        }

        if (paths.Count == 0)
        {
            throw new InvalidDataException($"Image folder '{root}' holds no {string.Join('/', ImageExtensions)} files{(classSubfolders ? " in class subfolders" : string.Empty)}.");
        }

        return new FileListDataset(paths, labels, classes);
    }

    /// <summary>
    /// A text or CSV list: one image per line, <c>path</c> or <c>path,label</c> (comma, tab or
    /// whitespace separated; integer labels). Blank lines and lines starting with # are skipped; a first
    /// line whose label is not an integer is taken as a CSV header. Relative paths are resolved
    /// against the list's folder. Either every line has a label or none does.
    /// </summary>
    /// <exception cref="InvalidDataException">A malformed line (named with its number).</exception>
    public static IImageDataset FromList(string listPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(listPath);
        string baseDir = Path.GetDirectoryName(Path.GetFullPath(listPath))!;
        var paths = new List<string>();
        var labels = new List<int>();
        bool? labelled = null;
        int lineNumber = 0;
        foreach (var raw in File.ReadLines(listPath))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            int sep = line.LastIndexOfAny([',', '\t', ' ']);
            string file = sep < 0 ? line : line[..sep].Trim();
            int label = -1;
            bool hasLabel = sep >= 0;
            if (hasLabel && !int.TryParse(line.AsSpan(sep + 1).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out label))
            {
                if (paths.Count == 0 && labelled is null)
                {
                    continue; // CSV header
                }

                throw new InvalidDataException($"{listPath}:{lineNumber}: label '{line[(sep + 1)..].Trim()}' is not an integer.");
            }

            if (labelled is not null && labelled != hasLabel)
            {
                throw new InvalidDataException($"{listPath}:{lineNumber}: {(hasLabel ? "has" : "lacks")} a label, unlike the lines before it.");
            }

            labelled = hasLabel;
            paths.Add(Path.GetFullPath(file, baseDir));
            labels.Add(hasLabel ? label : -1);
        }

        if (paths.Count == 0)
        {
            throw new InvalidDataException($"Image list '{listPath}' names no images.");
        }

        int classCount = labels.Count > 0 ? labels.Max() + 1 : 0;
        return new FileListDataset(paths, labels, Enumerable.Range(0, classCount).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray());
    }

    /// <summary>IDX images (N x rows x cols, 1 channel) with optional IDX labels, gzipped or not.</summary>
    /// <param name="imagesPath">idx3-ubyte file.</param>
    /// <param name="labelsPath">idx1-ubyte file with N labels, or null (unlabelled).</param>
    /// <param name="classes">Class names; default "0".."max label".</param>
    /// <exception cref="InvalidDataException">Bad magic, sizes, or a label count unlike the image count.</exception>
    public static IImageDataset FromIdx(string imagesPath, string? labelsPath = null, IReadOnlyList<string>? classes = null)
    {
        var (count, rows, cols, pixels) = IdxReader.ReadImages(imagesPath);
        int[]? labels = null;
        if (labelsPath is not null)
        {
            byte[] raw = IdxReader.ReadLabels(labelsPath);
            if (raw.Length != count)
            {
                throw new InvalidDataException($"'{labelsPath}' holds {raw.Length} labels but '{imagesPath}' holds {count} images.");
            }

            labels = Array.ConvertAll(raw, b => (int)b);
        }

        classes ??= labels is null ? [] : Enumerable.Range(0, labels.Max() + 1).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        return new InMemoryDataset(pixels, count, rows, cols, 1, labels, classes, Path.GetFileName(imagesPath));
    }

    /// <summary>Fashion-MNIST from a folder holding Debian's dataset-fashion-mnist files (default <see cref="Datasets.FashionMnist.Directory"/>), with its class names.</summary>
    /// <param name="train">True (default): the 60,000 training images; false: the 10,000 test images.</param>
    /// <param name="directory">Folder with {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz].</param>
    public static IImageDataset FashionMnist(bool train = true, string directory = Datasets.FashionMnist.Directory)
    {
        var (images, labels) = IdxSplit.Locate(directory, train);
        return FromIdx(images, labels, FashionMnistClasses);
    }

    /// <summary>Equal-sized 8-bit HWC images held in memory (N x H x W x C bytes), for tests and small data.</summary>
    /// <param name="pixels">N*H*W*C bytes; not copied.</param>
    /// <param name="count">N.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="channels">C: 1 or 3.</param>
    /// <param name="labels">N labels, or null (unlabelled).</param>
    public static IImageDataset FromArrays(byte[] pixels, int count, int height, int width, int channels, int[]? labels = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        var classes = labels is null || labels.Length == 0 ? [] : Enumerable.Range(0, labels.Max() + 1).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        return new InMemoryDataset(pixels, count, height, width, channels, labels, classes, "arrays");
    }

    private static IEnumerable<string> ImagesUnder(string dir) =>
        Directory.EnumerateFiles(dir, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden })
            .Where(f => ImageExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
}
