using System.Globalization;
using System.Text;

namespace MoCo.Cli.Report;

/// <summary>The 2-D map: a seeded sample of rows on their first two principal components (<see cref="Pca"/>), one dot
/// per row coloured by label, as an inline SVG with a legend.</summary>
internal static class PcaMap
{
    private const double Width = 720, Height = 540, Margin = 30, LegendWidth = 170;

    /// <summary>The section's markup; <paramref name="points"/> rows at most (all when fewer).</summary>
    public static string Section(ReportData data, int points, ulong seed)
    {
        var rows = Sample(data.Features.Rows, points, seed);
        var sample = data.Features.Select(rows);
        var pca = Pca.TopTwo(sample);
        var xy = Enumerable.Range(0, sample.Rows).Select(i => pca.Project(sample.Row(i))).ToArray();
        double xMin = xy.Min(p => p.X), xMax = xy.Max(p => p.X), yMin = xy.Min(p => p.Y), yMax = xy.Max(p => p.Y);
        if (xMax - xMin < 1e-12) xMax = xMin + 1;
        if (yMax - yMin < 1e-12) yMax = yMin + 1;
        var plotWidth = Width - LegendWidth - (2 * Margin);
        var plotHeight = Height - (2 * Margin);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Margin}\" y=\"{Margin}\" width=\"{Html.F(plotWidth)}\" height=\"{Html.F(plotHeight)}\" fill=\"none\" stroke=\"#888\"/>");
        for (var i = 0; i < xy.Length; i++)
        {
            var cx = Margin + ((xy[i].X - xMin) / (xMax - xMin) * plotWidth);
            var cy = Margin + plotHeight - ((xy[i].Y - yMin) / (yMax - yMin) * plotHeight);
            var row = rows[i];
            svg.Append(CultureInfo.InvariantCulture,
                $"<circle cx=\"{Html.F(cx, "0.#")}\" cy=\"{Html.F(cy, "0.#")}\" r=\"2.5\" fill=\"{Html.ClassColour(data.Labels[row])}\" fill-opacity=\"0.75\"><title>{Html.Encode(data.Paths[row])} ({Html.Encode(data.LabelName(row))})</title></circle>");
        }

        var share = (double v) => Html.F(100 * v / pca.TotalVariance, "0.#");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Html.F(Margin + (plotWidth / 2))}\" y=\"{Html.F(Height - 8)}\" text-anchor=\"middle\">PC 1 ({share(pca.FirstVariance)}% of the variance)</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(14,{Html.F(Margin + (plotHeight / 2))}) rotate(-90)\" text-anchor=\"middle\">PC 2 ({share(pca.SecondVariance)}%)</text>");
        var legend = data.Labelled ? data.Labels.Where(l => l >= 0).Distinct().Order().ToList() : [-1];
        for (var j = 0; j < legend.Count && j < 30; j++)
        {
            var y = Margin + 10 + (j * 18);
            var x = Width - LegendWidth;
            var name = legend[j] < 0 ? "unlabelled" : legend[j] < data.Classes.Count ? data.Classes[legend[j]] : legend[j].ToString(CultureInfo.InvariantCulture);
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Html.F(x)}\" cy=\"{Html.F(y - 4)}\" r=\"5\" fill=\"{Html.ClassColour(legend[j])}\"/><text x=\"{Html.F(x + 12)}\" y=\"{Html.F(y)}\">{Html.Encode(name)}</text>");
        }

        svg.Append("</svg>");
        return $"<p>{rows.Length} of {data.Features.Rows} rows (seeded sample), centred, on the two directions of largest variance of those rows; hover a dot for its path.</p>\n<div class=\"map\">{svg}</div>";
    }

    /// <summary>A seeded sample of <paramref name="count"/> of <paramref name="rows"/> rows, in row order.</summary>
    internal static int[] Sample(int rows, int count, ulong seed)
    {
        var order = Enumerable.Range(0, rows).ToArray();
        if (count >= rows) return order;
        new Random(Commands.ProbeCommand.Seed32(seed)).Shuffle(order);
        var chosen = order[..count];
        Array.Sort(chosen);
        return chosen;
    }
}
