using System.Globalization;
using System.Text;

namespace MoCo.Training.Trainer;

/// <summary>Draws the run's loss (per log line) and kNN top-1 (per epoch) as an SVG image, with no graphics library.</summary>
internal static class CurvePlot
{
    internal static string Svg(IReadOnlyList<LogEntry> log)
    {
        var losses = log.Where(e => e.loss is not null).Select(e => ((double)e.step, e.loss!.Value)).ToList();
        var knn = log.Where(e => e.knn_top1 is not null).Select(e => ((double)e.epoch + 1, e.knn_top1!.Value * 100)).ToList();
        var svg = new StringBuilder();
        svg.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" height=\"360\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append("<rect width=\"900\" height=\"360\" fill=\"white\"/>\n");
        Panel(svg, 0, "InfoNCE loss", "step", losses, "#1f77b4");
        Panel(svg, 450, "kNN top-1 (%)", "epoch", knn, "#d62728");
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Panel(StringBuilder svg, double x0, string title, string axis, List<(double x, double y)> points, string colour)
    {
        const double Left = 60, Top = 30, W = 360, H = 270;
        string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        svg.Append(CultureInfo.InvariantCulture, $"<g transform=\"translate({F(x0)},0)\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(Left + W / 2)}\" y=\"18\" text-anchor=\"middle\" font-weight=\"bold\">{title}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(Left)}\" y=\"{F(Top)}\" width=\"{F(W)}\" height=\"{F(H)}\" fill=\"none\" stroke=\"#888\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(Left + W / 2)}\" y=\"{F(Top + H + 30)}\" text-anchor=\"middle\">{axis}</text>\n");
        if (points.Count > 0)
        {
            double xMin = points.Min(p => p.x), xMax = points.Max(p => p.x), yMin = points.Min(p => p.y), yMax = points.Max(p => p.y);
            if (xMax == xMin) xMax = xMin + 1;
            if (yMax == yMin) { yMax += 0.5; yMin -= 0.5; }
            double Sx(double v) => Left + (v - xMin) / (xMax - xMin) * W;
            double Sy(double v) => Top + H - (v - yMin) / (yMax - yMin) * H;
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"");
            foreach (var (x, y) in points) svg.Append(F(Sx(x))).Append(',').Append(F(Sy(y))).Append(' ');
            svg.Append("\"/>\n");
            if (points.Count < 60)
            {
                foreach (var (x, y) in points) svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(Sx(x))}\" cy=\"{F(Sy(y))}\" r=\"2.5\" fill=\"{colour}\"/>\n");
            }
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(Left - 6)}\" y=\"{F(Top + 4)}\" text-anchor=\"end\">{F(yMax)}</text>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(Left - 6)}\" y=\"{F(Top + H)}\" text-anchor=\"end\">{F(yMin)}</text>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(Left)}\" y=\"{F(Top + H + 15)}\" text-anchor=\"middle\">{F(xMin)}</text>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(Left + W)}\" y=\"{F(Top + H + 15)}\" text-anchor=\"middle\">{F(xMax)}</text>\n");
        }
        svg.Append("</g>\n");
    }
}
