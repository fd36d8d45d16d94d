using System.Globalization;

namespace MoCo.MLNet.Probing;

/// <summary>
/// The label-efficiency figure as SVG, with no graphics library: top-1 (%) against labels per class on a log x axis,
/// for every curve (encoder) a solid linear-probe line and a dashed kNN line in the curve's colour, each one
/// <c>&lt;path&gt;</c> with a point and a ±sd bar (<c>&lt;line&gt;</c>) at every budget.
/// </summary>
internal static class LabelEfficiencySvg
{
    private const double Left = 70, Top = 40, W = 520, H = 330, LegendWidth = 260;
    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f"];

    /// <summary>The SVG document for <paramref name="points"/> (the mean rows of one or more CSVs; a curve per name).</summary>
    public static string Render(IReadOnlyList<CurveCsv.Point> points, string title)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0) throw new ArgumentException("a label-efficiency figure needs at least one point");
        if (points.Any(p => !(p.LabelsPerClass > 0))) throw new ArgumentException("labels per class must be positive on a log axis");
        var series = new List<(string Name, string Colour, bool Dashed, List<(double X, double Y, double Sd)> Points)>();
        var curves = points.Select(p => p.Curve).Distinct().ToList();
        for (var c = 0; c < curves.Count; c++)
        {
            var mine = points.Where(p => p.Curve == curves[c]).OrderBy(p => p.LabelsPerClass).ToList();
            var colour = Colours[c % Colours.Length];
            if (mine.All(p => p.Linear is not null))
            {
                series.Add(($"{curves[c]}: linear", colour, false, mine.Select(p => (p.LabelsPerClass, p.Linear!.Value * 100, p.LinearSd!.Value * 100)).ToList()));
            }

            series.Add(($"{curves[c]}: kNN", colour, true, mine.Select(p => (p.LabelsPerClass, p.Knn * 100, p.KnnSd * 100)).ToList()));
        }

        // x: whole decades around the data; y: tens of percent around mean ± sd.
        var lo = Math.Floor(Math.Log10(points.Min(p => p.LabelsPerClass)));
        var hi = Math.Max(lo + 1, Math.Ceiling(Math.Log10(points.Max(p => p.LabelsPerClass))));
        var all = series.SelectMany(s => s.Points).ToList();
        var yMin = Math.Max(0, Math.Floor(all.Min(p => p.Y - p.Sd) / 10) * 10);
        var yMax = Math.Min(100, Math.Ceiling(all.Max(p => p.Y + p.Sd) / 10) * 10);
        if (yMax <= yMin) (yMin, yMax) = (Math.Max(0, yMin - 10), Math.Min(100, yMax + 10));
        double Sx(double x) => Left + ((Math.Log10(x) - lo) / (hi - lo) * W);
        double Sy(double y) => Top + H - ((y - yMin) / (yMax - yMin) * H);

        var svg = new SvgPicture(Left + W + LegendWidth + 20, Top + H + 60);
        svg.Add($"<text x=\"{Left + (W / 2)}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{SvgPicture.Escape(title)}</text>");
        svg.Add($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{W}\" height=\"{H}\" fill=\"none\" stroke=\"#888\"/>");
        for (var e = lo; e <= hi; e++)
        {
            var x = Sx(Math.Pow(10, e));
            svg.Add($"<line x1=\"{F(x)}\" y1=\"{Top}\" x2=\"{F(x)}\" y2=\"{Top + H}\" stroke=\"#eee\"/>");
            svg.Add($"<text x=\"{F(x)}\" y=\"{Top + H + 16}\" text-anchor=\"middle\">{Math.Pow(10, e).ToString("0.###", CultureInfo.InvariantCulture)}</text>");
        }

        for (var y = yMin; y <= yMax + 1e-9; y += 10)
        {
            svg.Add($"<line x1=\"{Left}\" y1=\"{F(Sy(y))}\" x2=\"{Left + W}\" y2=\"{F(Sy(y))}\" stroke=\"#eee\"/>");
            svg.Add($"<text x=\"{Left - 6}\" y=\"{F(Sy(y) + 4)}\" text-anchor=\"end\">{y:0}</text>");
        }

        svg.Add($"<text x=\"{Left + (W / 2)}\" y=\"{Top + H + 40}\" text-anchor=\"middle\">labelled images per class (log scale)</text>");
        svg.Add($"<text transform=\"translate(20,{Top + (H / 2)}) rotate(-90)\" text-anchor=\"middle\">top-1 on the test set (%), mean ± sd over draws</text>");
        for (var i = 0; i < series.Count; i++)
        {
            var (name, colour, dashed, line) = series[i];
            var dash = dashed ? " stroke-dasharray=\"6,4\"" : "";
            var d = string.Join(" ", line.Select((p, j) => string.Create(CultureInfo.InvariantCulture, $"{(j == 0 ? 'M' : 'L')}{F(Sx(p.X))},{F(Sy(p.Y))}")));
            svg.Add($"<path class=\"curve\" d=\"{d}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash}><title>{SvgPicture.Escape(name)}</title></path>");
            foreach (var (x, y, sd) in line)
            {
                if (sd > 0) svg.Add($"<line x1=\"{F(Sx(x))}\" y1=\"{F(Sy(Math.Max(yMin, y - sd)))}\" x2=\"{F(Sx(x))}\" y2=\"{F(Sy(Math.Min(yMax, y + sd)))}\" stroke=\"{colour}\"/>");
                svg.Add($"<circle cx=\"{F(Sx(x))}\" cy=\"{F(Sy(y))}\" r=\"3\" fill=\"{colour}\"/>");
            }

            var ly = Top + 10 + (i * 20);
            svg.Add($"<line x1=\"{Left + W + 16}\" y1=\"{ly}\" x2=\"{Left + W + 46}\" y2=\"{ly}\" stroke=\"{colour}\" stroke-width=\"2\"{dash}/>");
            svg.Add($"<text x=\"{Left + W + 52}\" y=\"{ly + 4}\">{SvgPicture.Escape(name)}</text>");
        }

        return svg.Close();
    }

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
