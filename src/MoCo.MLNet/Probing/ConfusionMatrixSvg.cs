using System.Globalization;

namespace MoCo.MLNet.Probing;

/// <summary>A confusion matrix as an SVG picture: rows are true classes, columns predictions, cells shaded by row share.</summary>
internal static class ConfusionMatrixSvg
{
    private const int Cell = 44;

    /// <summary>The SVG document.</summary>
    public static string Render(long[,] confusion, IReadOnlyList<string> classes, string title)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        ArgumentNullException.ThrowIfNull(classes);
        var n = classes.Count;
        if (confusion.GetLength(0) != n || confusion.GetLength(1) != n)
        {
            throw new ArgumentException($"a {confusion.GetLength(0)} x {confusion.GetLength(1)} matrix for {n} classes.");
        }

        var labelWidth = (7 * classes.Max(c => c.Length)) + 16;
        int left = labelWidth + 24, top = 60 + labelWidth, size = n * Cell;
        var svg = new SvgPicture(left + size + 20, top + size + 20);
        svg.Add($"<text x=\"10\" y=\"22\" font-size=\"15\">{SvgPicture.Escape(title)}</text>");
        svg.Add($"<text x=\"{left + (size / 2)}\" y=\"44\" text-anchor=\"middle\">predicted</text>");
        svg.Add($"<text transform=\"translate(14,{top + (size / 2)}) rotate(-90)\" text-anchor=\"middle\">true class</text>");
        for (var t = 0; t < n; t++)
        {
            long rowSum = 0;
            for (var p = 0; p < n; p++)
            {
                rowSum += confusion[t, p];
            }

            var y = top + (t * Cell);
            svg.Add($"<text x=\"{left - 6}\" y=\"{y + (Cell / 2) + 4}\" text-anchor=\"end\">{SvgPicture.Escape(classes[t])}</text>");
            svg.Add($"<text transform=\"translate({left + (t * Cell) + (Cell / 2) + 4},{top - 6}) rotate(-90)\">{SvgPicture.Escape(classes[t])}</text>");
            for (var p = 0; p < n; p++)
            {
                var share = rowSum > 0 ? (double)confusion[t, p] / rowSum : 0;
                // White to blue by the share of the true class's rows; dark cells get white text.
                int r = (int)Math.Round(255 - (share * 222)), g = (int)Math.Round(255 - (share * 153)), b = (int)Math.Round(255 - (share * 75));
                var x = left + (p * Cell);
                svg.Add($"<rect x=\"{x}\" y=\"{y}\" width=\"{Cell}\" height=\"{Cell}\" fill=\"rgb({r},{g},{b})\" stroke=\"#ccc\"/>");
                svg.Add($"<text x=\"{x + (Cell / 2)}\" y=\"{y + (Cell / 2) + 4}\" text-anchor=\"middle\" fill=\"{(share > 0.5 ? "white" : "black")}\">{confusion[t, p]}</text>");
            }
        }

        return svg.Close();
    }
}
