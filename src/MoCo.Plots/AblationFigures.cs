using System.Globalization;
using ScottPlot;

namespace MoCo.Plots;

/// <summary>The ablation's figures: top-1 against K per mechanism (the MoCo paper's Figure 3), against the momentum m,
/// and with shuffle BN on and off. Accuracies in percent; points that failed or were skipped are left out.</summary>
internal static class AblationFigures
{
    /// <summary>Top-1 (%) against K, one series per method and metric, each sorted by K.</summary>
    internal static IReadOnlyList<(string method, string metric, double[] k, double[] top1)> NegativesSeries(IEnumerable<AblationRow> rows)
    {
        var result = new List<(string, string, double[], double[])>();
        foreach (var group in rows.Where(r => r.OkIn("negatives")).GroupBy(r => r.Method))
        {
            var sorted = group.OrderBy(r => r.Negatives).ToArray();
            double[] k = sorted.Select(r => (double)r.Negatives).ToArray();
            result.Add((group.Key, "linear", k, sorted.Select(r => r.LinearTop1!.Value * 100).ToArray()));
            result.Add((group.Key, "kNN", k, sorted.Select(r => r.KnnTop1!.Value * 100).ToArray()));
        }
        return result;
    }

    /// <summary>Writes negatives.png, momentum.png and shuffle-bn.png (those with data) to <paramref name="directory"/>;
    /// returns their paths.</summary>
    internal static IReadOnlyList<string> WriteAll(IReadOnlyList<AblationRow> rows, string directory, int width, int height)
    {
        var written = new List<string>();
        void Save(Plot? plot, string name)
        {
            if (plot is null) return;
            string path = Path.Combine(directory, name);
            plot.SavePng(path, width, height);
            written.Add(path);
        }
        Save(Negatives(rows), "negatives.png");
        Save(Momentum(rows), "momentum.png");
        Save(ShuffleBn(rows), "shuffle-bn.png");
        return written;
    }

    /// <summary>Top-1 against K on a log₂ axis: solid lines linear probe, dashed kNN, one colour per method.</summary>
    internal static Plot? Negatives(IEnumerable<AblationRow> rows)
    {
        var series = NegativesSeries(rows);
        if (series.Count == 0) return null;
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var methods = series.Select(s => s.method).Distinct().ToList();
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        // Ticks at the powers of two the K values span (end-to-end's 2N − 2 lies just below one).
        var all = series.SelectMany(s => s.k).ToArray();
        for (int e = (int)Math.Floor(Math.Log2(all.Min())); e <= (int)Math.Ceiling(Math.Log2(all.Max())); e++)
            ticks.AddMajor(e, Math.Pow(2, e).ToString("F0", CultureInfo.InvariantCulture));
        foreach (var (method, metric, k, top1) in series)
        {
            var line = plot.Add.Scatter(k.Select(Math.Log2).ToArray(), top1);
            line.Color = palette.GetColor(methods.IndexOf(method));
            line.LegendText = $"{method} ({metric})";
            line.LinePattern = metric == "kNN" ? LinePattern.Dashed : LinePattern.Solid;
            line.MarkerSize = 7;
        }
        AddBaseline(plot, rows);
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Title("top-1 against the number of negatives K");
        plot.XLabel("K (negatives per query, log scale)");
        plot.YLabel("top-1 accuracy (%)");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>Dotted grey lines at the untrained encoder's top-1 (the "random-init" row), when the table has one.</summary>
    private static void AddBaseline(Plot plot, IEnumerable<AblationRow> rows)
    {
        if (rows.FirstOrDefault(r => r.OkIn("baseline")) is not { } baseline) return;
        foreach (var (metric, value, pattern) in new[] { ("linear", baseline.LinearTop1!.Value, LinePattern.Dotted), ("kNN", baseline.KnnTop1!.Value, LinePattern.DenselyDashed) })
        {
            var line = plot.Add.HorizontalLine(value * 100);
            line.Color = Colors.Gray;
            line.LinePattern = pattern;
            line.LegendText = $"random init ({metric})";
        }
    }

    /// <summary>MoCo's top-1 against the momentum m (evenly spaced categories), linear and kNN.</summary>
    internal static Plot? Momentum(IEnumerable<AblationRow> rows)
    {
        var points = rows.Where(r => r.OkIn("momentum")).OrderBy(r => r.Momentum).ToArray();
        if (points.Length == 0) return null;
        var plot = new Plot();
        double[] x = Enumerable.Range(0, points.Length).Select(i => (double)i).ToArray();
        var linear = plot.Add.Scatter(x, points.Select(r => r.LinearTop1!.Value * 100).ToArray());
        linear.LegendText = "linear";
        linear.MarkerSize = 7;
        var knn = plot.Add.Scatter(x, points.Select(r => r.KnnTop1!.Value * 100).ToArray());
        knn.LegendText = "kNN";
        knn.LinePattern = LinePattern.Dashed;
        knn.MarkerSize = 7;
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int i = 0; i < points.Length; i++) ticks.AddMajor(i, points[i].Momentum.ToString("R", CultureInfo.InvariantCulture));
        AddBaseline(plot, rows);
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Title($"MoCo top-1 against the momentum m (K = {points[0].Negatives})");
        plot.XLabel("key-encoder momentum m");
        plot.YLabel("top-1 accuracy (%)");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>MoCo's top-1 with shuffle BN on and off: bars for linear and kNN, labelled with their values.</summary>
    internal static Plot? ShuffleBn(IEnumerable<AblationRow> rows)
    {
        var points = rows.Where(r => r.OkIn("shuffle-bn")).OrderByDescending(r => r.ShuffleBn).ToArray();
        if (points.Length == 0) return null;
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        var bars = new List<Bar>();
        for (int i = 0; i < points.Length; i++)
        {
            double centre = i * 3;
            ticks.AddMajor(centre + 0.5, points[i].ShuffleBn ? "shuffle BN on" : "shuffle BN off");
            bars.Add(Bar(centre, points[i].LinearTop1!.Value * 100, palette.GetColor(0)));
            bars.Add(Bar(centre + 1, points[i].KnnTop1!.Value * 100, palette.GetColor(1)));
        }
        plot.Add.Bars(bars);
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "linear", FillColor = palette.GetColor(0) });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "kNN", FillColor = palette.GetColor(1) });
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.Title($"MoCo with and without shuffle BN (K = {points[0].Negatives}, m = {points[0].Momentum.ToString("R", CultureInfo.InvariantCulture)})");
        plot.YLabel("top-1 accuracy (%)");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static Bar Bar(double position, double value, Color colour) => new()
    {
        Position = position, Value = value, FillColor = colour, Label = value.ToString("F1", CultureInfo.InvariantCulture),
    };
}
