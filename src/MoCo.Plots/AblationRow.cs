using System.Globalization;

namespace MoCo.Plots;

/// <summary>One line of an ablation's results.csv (the columns `moco ablate` writes; accuracies as fractions).</summary>
internal sealed record AblationRow(string Name, IReadOnlyList<string> Sweeps, string Method, int Negatives, double Momentum, bool ShuffleBn,
    int BatchSize, double? KnnTop1, double? LinearTop1, string Status)
{
    private static readonly string[] Required = ["name", "sweeps", "method", "negatives", "momentum", "shuffle_bn", "batch", "knn_top1", "linear_top1", "status"];

    /// <summary>The rows of a results.csv text; columns are found by their header names.</summary>
    internal static IReadOnlyList<AblationRow> Parse(string csv, string source)
    {
        ArgumentNullException.ThrowIfNull(csv);
        string[] lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0) throw new InvalidDataException($"{source} is empty");
        string[] header = lines[0].Split(',');
        int Column(string name) => Array.IndexOf(header, name) is int i and >= 0 ? i
            : throw new InvalidDataException($"{source} has no '{name}' column (header: {lines[0]})");
        var at = Required.ToDictionary(n => n, Column);
        var rows = new List<AblationRow>();
        for (int l = 1; l < lines.Length; l++)
        {
            // The reason, last and quoted, may hold commas: only the columns before it are split.
            string[] cells = lines[l].Split(',', header.Length);
            if (cells.Length < header.Length) throw new InvalidDataException($"{source}, line {l + 1}: {cells.Length} cells, the header has {header.Length}");
            string Cell(string name) => cells[at[name]];
            try
            {
                rows.Add(new AblationRow(Cell("name"), Cell("sweeps").Split(';', StringSplitOptions.RemoveEmptyEntries), Cell("method"),
                    int.Parse(Cell("negatives"), CultureInfo.InvariantCulture), double.Parse(Cell("momentum"), CultureInfo.InvariantCulture),
                    Cell("shuffle_bn") == "on", int.Parse(Cell("batch"), CultureInfo.InvariantCulture),
                    Optional(Cell("knn_top1")), Optional(Cell("linear_top1")), Cell("status")));
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{source}, line {l + 1}: {e.Message}", e);
            }
        }
        return rows;
    }

    private static double? Optional(string cell) => cell.Length == 0 ? null : double.Parse(cell, CultureInfo.InvariantCulture);

    /// <summary>Trained and evaluated, in <paramref name="sweep"/>.</summary>
    internal bool OkIn(string sweep) => Status == "ok" && Sweeps.Contains(sweep) && KnnTop1 is not null && LinearTop1 is not null;
}
