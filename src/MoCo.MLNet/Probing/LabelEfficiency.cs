using System.Globalization;
using Microsoft.ML;
using MoCo.Evaluation;

namespace MoCo.MLNet.Probing;

/// <summary>
/// The label-efficiency protocol (SimCLR's and MoCo's 1% / 10% labels, as N labels per class): on features computed
/// once (<see cref="ProbeFeatures"/>), for each budget and draw d, the training rows of <see cref="StratifiedDraw"/>
/// (seed, draw d) train the linear protocol (<see cref="Prober.FitLinear"/>) and are kNN's bank
/// (<see cref="Prober.KnnFigures"/>); both are scored on the whole test set. The whole pool (<c>all</c>) is one draw.
/// </summary>
internal sealed class LabelEfficiency(ProbeSettings settings, TextWriter? log = null)
{
    private readonly TextWriter _log = log ?? TextWriter.Null;

    /// <summary>Runs every budget, <paramref name="draws"/> draws each (one for the whole pool).</summary>
    /// <param name="features">The training pool's and the test set's features.</param>
    /// <param name="budgets">The budgets, in the order reported.</param>
    /// <param name="draws">Draws per budget (positive).</param>
    /// <param name="seed">The draws' seed (<c>--seed</c>).</param>
    public IReadOnlyList<BudgetResult> Run(ProbeFeatures features, IReadOnlyList<LabelBudget> budgets, int draws, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(budgets);
        ArgumentOutOfRangeException.ThrowIfLessThan(draws, 1);
        // Every budget's subsets first: a budget too large for a class fails before any training.
        var subsets = budgets.Select(b => Enumerable.Range(0, b.IsAll ? 1 : draws)
            .Select(d => b.Draw(features.TrainLabels, features.Classes, seed, d)).ToArray()).ToArray();
        var prober = new Prober(settings);
        var results = new List<BudgetResult>();
        for (var b = 0; b < budgets.Count; b++)
        {
            var runs = new List<DrawResult>();
            for (var d = 0; d < subsets[b].Length; d++)
            {
                var rows = subsets[b][d];
                var x = features.TrainFeatures.Select(rows);
                var y = rows.Select(i => features.TrainLabels[i]).ToArray();
                var (_, knn) = Prober.KnnFigures(x, y, features.TestFeatures, features.TestLabels, features.Classes.Count, settings.Knn);
                double? linear = null;
                string? protocol = null;
                if (settings.Trainers.Count > 0)
                {
                    var fit = prober.FitLinear(new MLContext(settings.Seed), features, x, y);
                    (linear, protocol) = (fit.Linear.MicroAccuracy, fit.Protocol);
                }

                var run = new DrawResult(d, rows, linear, knn.MicroAccuracy, protocol);
                runs.Add(run);
                _log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"labels {budgets[b].Text}, draw {d}: {rows.Length} training images, linear {Percent(linear)}, kNN {Percent(knn.MicroAccuracy)}"));
            }

            results.Add(new BudgetResult(budgets[b], runs, features.Classes.Count, settings.Knn.Name));
        }

        return results;
    }

    private static string Percent(double? value) => value is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v * 100:F2}%") : "-";
}

/// <summary>One draw of one budget: the training rows it used and the two classifiers' top-1 on the test set.</summary>
/// <param name="Draw">The draw's index (StratifiedDraw's draw).</param>
/// <param name="Rows">The training pool's rows drawn, ascending.</param>
/// <param name="LinearTop1">The linear probe's top-1 (0–1); null for kNN only.</param>
/// <param name="KnnTop1">kNN's top-1 (0–1).</param>
/// <param name="LinearProtocol">The linear protocol's name (its trainer); null for kNN only.</param>
internal sealed record DrawResult(int Draw, int[] Rows, double? LinearTop1, double KnnTop1, string? LinearProtocol);

/// <summary>A budget's draws and their mean ± sample standard deviation (0 with one draw).</summary>
internal sealed record BudgetResult(LabelBudget Budget, IReadOnlyList<DrawResult> Draws, int ClassCount, string KnnProtocol)
{
    /// <summary>Training images per draw (the same for every draw).</summary>
    public int TrainImages => Draws[0].Rows.Length;

    /// <summary>Training images per class, the curve's x: N for N per class, the mean per class otherwise.</summary>
    public double LabelsPerClass => Budget.PerClass ?? (double)TrainImages / ClassCount;

    public double? LinearMean => Draws[0].LinearTop1 is null ? null : Mean(Draws.Select(d => d.LinearTop1!.Value));

    public double? LinearSd => Draws[0].LinearTop1 is null ? null : Sd(Draws.Select(d => d.LinearTop1!.Value));

    public double KnnMean => Mean(Draws.Select(d => d.KnnTop1));

    public double KnnSd => Sd(Draws.Select(d => d.KnnTop1));

    /// <summary>The linear protocols of the draws (one name unless auto chose differently per draw).</summary>
    public string? LinearProtocol => Draws[0].LinearProtocol is null ? null : string.Join("|", Draws.Select(d => d.LinearProtocol).Distinct());

    /// <summary>The mean.</summary>
    public static double Mean(IEnumerable<double> values) => values.Average();

    /// <summary>The sample standard deviation (n − 1 in the denominator); 0 for one value.</summary>
    public static double Sd(IEnumerable<double> values)
    {
        var v = values.ToArray();
        if (v.Length < 2) return 0;
        var mean = v.Average();
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
    }
}
