using System.Globalization;

namespace MoCo.MLNet.Probing;

/// <summary>
/// <c>label-efficiency.csv</c>, read back: the <c>mean</c> rows of each curve (one curve per encoder, named by
/// <c>--curve-label</c>), the points <see cref="LabelEfficiencySvg"/> draws. Columns: <see cref="Header"/>.
/// </summary>
internal static class CurveCsv
{
    /// <summary>The file's name under <c>moco probe --out DIR</c>.</summary>
    public const string FileName = "label-efficiency.csv";

    /// <summary>The header row.</summary>
    public const string Header = "curve,budget,draw,train_images,labels_per_class,linear_top1,linear_top1_sd,knn_top1,knn_top1_sd";

    /// <summary>One budget's mean figures (fractions; linear null for kNN only).</summary>
    internal sealed record Point(string Curve, string Budget, int TrainImages, double LabelsPerClass, double? Linear, double? LinearSd, double Knn, double KnnSd);

    /// <summary>The mean rows of <paramref name="path"/>, in file order.</summary>
    /// <exception cref="InvalidDataException">The file is not a label-efficiency CSV; the message names the file and line.</exception>
    public static IReadOnlyList<Point> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} does not exist (give the {FileName} of moco probe --labels-per-class ... --out DIR)", path);
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != Header)
        {
            throw new InvalidDataException($"{path} is not a {FileName} (its first line is not '{Header}')");
        }

        var points = new List<Point>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var c = Split(lines[i]);
            if (c.Count != 9) throw new InvalidDataException($"{path}:{i + 1}: {c.Count} cells, expected 9");
            if (c[2] != "mean") continue;
            try
            {
                points.Add(new Point(c[0], c[1], int.Parse(c[3], Invariant), double.Parse(c[4], Invariant), Optional(c[5]), Optional(c[6]),
                    double.Parse(c[7], Invariant), double.Parse(c[8], Invariant)));
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{path}:{i + 1}: {e.Message}", e);
            }
        }

        return points;
    }

    private static CultureInfo Invariant => CultureInfo.InvariantCulture;

    private static double? Optional(string cell) => cell.Length == 0 ? null : double.Parse(cell, Invariant);

    /// <summary>A cell, quoted when it holds a comma or a quote.</summary>
    public static string Quote(string value) => value.Contains(',') || value.Contains('"') ? $"\"{value.Replace("\"", "\"\"")}\"" : value;

    private static List<string> Split(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else cell.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(ch);
        }

        cells.Add(cell.ToString());
        return cells;
    }
}
