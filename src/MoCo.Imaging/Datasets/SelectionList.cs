namespace MoCo.Imaging.Datasets;

/// <summary>
/// A list of chosen items of one data source, as <c>moco select</c> writes it: a header line
/// <c># moco selection of: SOURCE</c> (a <see cref="DataSourceSpec"/>, as a feature store records its source), optional
/// further <c>#</c> comment lines, then one item per line, named as the source names it (<see cref="IImageDataset.Describe"/>:
/// a file's full path, or <c>file[index]</c> for IDX images).
/// <para>Read back as a data source it is the source's items in the list's order with the source's labels and class
/// names, so <c>moco probe --train list.txt --test fashion-mnist:test</c> sees the same classes on both sides, even when
/// the selection misses a class. A reader of plain path lists (<see cref="ImageDatasets.FromList"/>, a labelling tool
/// that skips <c>#</c> lines) sees one path a line.</para>
/// </summary>
public static class SelectionList
{
    /// <summary>The first line's prefix, followed by the source.</summary>
    public const string HeaderPrefix = "# moco selection of: ";

    /// <summary>The source named by the header of the list at <paramref name="path"/>, or null when its first line is not
    /// a selection header.</summary>
    public static string? SourceOf(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var reader = new StreamReader(path);
        var first = reader.ReadLine();
        return first is not null && first.StartsWith(HeaderPrefix, StringComparison.Ordinal) ? first[HeaderPrefix.Length..].Trim() : null;
    }

    /// <summary>Writes a selection list (UTF-8, '\n' line ends).</summary>
    /// <param name="path">The list's file (.txt, so <see cref="DataSourceSpec.Parse"/> takes it).</param>
    /// <param name="source">The source the items belong to, as <see cref="DataSourceSpec.Parse"/> reads it.</param>
    /// <param name="items">Each chosen item's name in the source (<see cref="IImageDataset.Describe"/>).</param>
    /// <param name="comments">Lines written after the header, each prefixed with "# ".</param>
    /// <exception cref="ArgumentException">A name that is empty, spans lines or starts with '#'.</exception>
    public static void Write(string path, string source, IEnumerable<string> items, IEnumerable<string>? comments = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentNullException.ThrowIfNull(items);
        using var writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false)) { NewLine = "\n" };
        writer.WriteLine(HeaderPrefix + source);
        foreach (var comment in comments ?? []) writer.WriteLine("# " + comment.ReplaceLineEndings(" "));
        foreach (var item in items)
        {
            if (string.IsNullOrWhiteSpace(item) || item.Contains('\n') || item.Contains('\r') || item.StartsWith('#') || item.Trim() != item)
            {
                throw new ArgumentException($"'{item}' cannot be a line of a selection list (empty, several lines, a leading '#' or outer spaces).", nameof(items));
            }

            writer.WriteLine(item);
        }
    }

    /// <summary>The listed items of <paramref name="source"/>, in the list's order.</summary>
    /// <param name="path">The list.</param>
    /// <param name="source">The opened source (the header's).</param>
    /// <exception cref="InvalidDataException">A line names no item of the source, or an item twice (with its line number),
    /// or the list names no items.</exception>
    public static IImageDataset Open(string path, IImageDataset source)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(source);
        var byName = new Dictionary<string, int>(source.Count, StringComparer.Ordinal);
        for (var i = 0; i < source.Count; i++) byName.TryAdd(source.Describe(i), i);
        var indices = new List<int>();
        var seen = new HashSet<int>();
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (!byName.TryGetValue(line, out var index))
            {
                throw new InvalidDataException($"{path}:{lineNumber}: '{line}' is not an item of the selection's source ({source.Count} items; the list's first line names it).");
            }

            if (!seen.Add(index)) throw new InvalidDataException($"{path}:{lineNumber}: '{line}' is listed twice.");
            indices.Add(index);
        }

        if (indices.Count == 0) throw new InvalidDataException($"Selection list '{path}' names no items.");
        return new SubsetDataset(source, [.. indices]);
    }
}
