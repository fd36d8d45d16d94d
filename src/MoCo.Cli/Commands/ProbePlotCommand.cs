using System.CommandLine;
using MoCo.Cli.Options;
using MoCo.MLNet.Probing;

namespace MoCo.Cli.Commands;

/// <summary>
/// `moco probe plot --out fig.svg A/label-efficiency.csv B/label-efficiency.csv …`: the label-efficiency curves of
/// several runs (one encoder each: pretrained, random init, raw pixels) on one figure, a line per encoder and classifier.
/// </summary>
internal static class ProbePlotCommand
{
    /// <summary>The figure <c>moco probe --labels-per-class … --out DIR</c> writes next to its CSV.</summary>
    internal const string FigureFile = "label-efficiency.svg";

    /// <summary>Writes one curve into <paramref name="outDir"/>: <see cref="CurveCsv.FileName"/> and its figure, drawn from
    /// the CSV as read back (what this command would draw from it); returns both paths.</summary>
    internal static (string Csv, string Svg) WriteCurve(string outDir, IReadOnlyList<BudgetResult> results, string curve)
    {
        Directory.CreateDirectory(outDir);
        string csv = Path.Combine(outDir, CurveCsv.FileName);
        File.WriteAllText(csv, LabelEfficiencyReport.Csv(results, curve));
        string svg = Path.Combine(outDir, FigureFile);
        File.WriteAllText(svg, LabelEfficiencySvg.Render(CurveCsv.Read(csv), $"label efficiency: {curve}"));
        return (csv, svg);
    }

    internal sealed class Options
    {
        internal readonly Argument<string[]> Csvs = new("csv") { Description = "label-efficiency.csv files of moco probe --labels-per-class ... --out DIR (a curve per --curve-label)", Arity = ArgumentArity.OneOrMore };
        internal readonly Option<string> Out = new("--out") { Description = "the SVG figure to write", Required = true };
        internal readonly Option<string> Title = new("--title") { Description = "the figure's title", DefaultValueFactory = _ => "label efficiency" };
    }

    internal static Command Create()
    {
        var o = new Options();
        var command = CommandOptions.Build("plot", "Draws label-efficiency.csv files of several encoders on one figure (SVG): top-1 against labels per class, log x axis.",
            [o.Out, o.Title], r => Run(r, o));
        command.Arguments.Add(o.Csvs);
        return command;
    }

    private static int Run(ParseResult r, Options o)
    {
        // A curve per name and file: a name an earlier file already used gets the file's path, so two runs that kept
        // the default --curve-label stay two lines.
        var points = new List<CurveCsv.Point>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in r.GetValue(o.Csvs)!)
        {
            var mine = CurveCsv.Read(file);
            var names = mine.Select(p => p.Curve).Distinct().ToDictionary(n => n, n => used.Contains(n) ? $"{n} ({file})" : n);
            used.UnionWith(names.Values);
            points.AddRange(mine.Select(p => p with { Curve = names[p.Curve] }));
        }

        if (points.Count == 0) throw new ArgumentException("the CSV files hold no mean rows to draw");
        var output = r.GetValue(o.Out)!;
        if (Path.GetDirectoryName(Path.GetFullPath(output)) is { } folder) Directory.CreateDirectory(folder);
        File.WriteAllText(output, LabelEfficiencySvg.Render(points, r.GetValue(o.Title)!));
        var curves = points.Select(p => p.Curve).Distinct().ToList();
        Console.WriteLine($"wrote {output}: {curves.Count} curve(s) ({string.Join(", ", curves)})");
        return 0;
    }
}
