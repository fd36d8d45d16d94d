using System.Globalization;
using System.Text;

namespace MoCo.Cli.Report;

/// <summary>
/// Near-duplicate groups read from <c>moco dedup</c>'s groups.csv (header <c>group,path</c>, one line per image that
/// has a duplicate), shown as strips of thumbnails, largest groups first. The report reads the file rather than
/// computing groups itself, so the threshold rule has one home (the dedup command).
/// </summary>
internal static class DuplicateGroups
{
    /// <summary>Groups shown at most; the section says how many there are.</summary>
    public const int Shown = 24;

    /// <summary>Group id → its paths, in file order.</summary>
    /// <exception cref="InvalidDataException">No <c>group,path</c> header, or a line without both fields (named by number).</exception>
    public static IReadOnlyList<(string Group, IReadOnlyList<string> Paths)> Read(string path)
    {
        var groups = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var order = new List<string>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (lineNumber == 1)
            {
                if (line.Trim() != "group,path") throw new InvalidDataException($"{path}:1: expected the header 'group,path' (moco dedup's groups.csv), got '{line}'.");
                continue;
            }

            if (line.Length == 0) continue;
            var comma = line.IndexOf(',', StringComparison.Ordinal);
            if (comma <= 0 || comma == line.Length - 1) throw new InvalidDataException($"{path}:{lineNumber}: expected 'group,path', got '{line}'.");
            var group = line[..comma];
            var file = Unquote(line[(comma + 1)..]);
            if (!groups.TryGetValue(group, out var list))
            {
                groups[group] = list = [];
                order.Add(group);
            }

            list.Add(file);
        }

        return order.Select(g => (g, (IReadOnlyList<string>)groups[g])).ToList();
    }

    /// <summary>The section's markup for <paramref name="groups"/>; paths not in the store are shown by name.</summary>
    public static string Section(ReportData data, IReadOnlyList<(string Group, IReadOnlyList<string> Paths)> groups, Thumbnails thumbnails)
    {
        var rowOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < data.Paths.Count; i++) rowOf.TryAdd(data.Paths[i], i);
        var html = new StringBuilder();
        var images = groups.Sum(g => g.Paths.Count);
        html.Append(CultureInfo.InvariantCulture, $"<p>{groups.Count} groups holding {images} images{(groups.Count > Shown ? $"; the {Shown} largest are shown" : "")}.</p>\n");
        foreach (var (group, paths) in groups.OrderByDescending(g => g.Paths.Count).ThenBy(g => g.Group, StringComparer.Ordinal).Take(Shown))
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"gallery-row\"><div class=\"group-name\">group {Html.Encode(group)}<br>{paths.Count} images</div>");
            foreach (var file in paths)
            {
                if (rowOf.TryGetValue(file, out var row)) Html.Tile(html, thumbnails.DataUri(row), file, Html.Encode(data.LabelName(row)));
                else Html.Tile(html, null, file, "not in the store");
            }

            html.Append("</div>\n");
        }

        return html.ToString();
    }

    private static string Unquote(string field) =>
        field.Length >= 2 && field[0] == '"' && field[^1] == '"' ? field[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal) : field;
}
