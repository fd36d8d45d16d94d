using System.Globalization;
using MoCo.Plots;

// moco-plots DIR [WIDTH HEIGHT]: PNG figures of DIR/results.csv (written by `moco ablate`) into DIR.
if (args.Length is not (1 or 3))
{
    Console.Error.WriteLine("usage: moco-plots DIR [WIDTH HEIGHT]   (DIR holds results.csv from `moco ablate`; default 800 500)");
    return 1;
}
try
{
    string directory = args[0];
    int width = args.Length == 3 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 800;
    int height = args.Length == 3 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 500;
    if (width < 100 || height < 100) throw new ArgumentException($"the figure size must be at least 100 × 100, got {width} × {height}");
    string csv = Path.Combine(directory, "results.csv");
    var rows = AblationRow.Parse(File.ReadAllText(csv), csv);
    var written = AblationFigures.WriteAll(rows, directory, width, height);
    Console.WriteLine(written.Count == 0 ? $"{csv}: no point trained yet, no figure written" : "wrote " + string.Join(", ", written));
    return 0;
}
catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or FormatException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
