using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MoCo.MLNet.Probing;

/// <summary>A label-efficiency curve as a table (for people), JSON lines (one per budget, for scripts) and
/// <c>label-efficiency.csv</c> (one row per budget and draw, then the budget's mean; <see cref="CurveCsv"/> reads it back).</summary>
internal static class LabelEfficiencyReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>One row per budget: draws, training images, linear and kNN top-1 as mean ± sd (percent).</summary>
    public static string Table(IReadOnlyList<BudgetResult> results, string encoder, int testCount)
    {
        ArgumentNullException.ThrowIfNull(results);
        var s = new StringBuilder();
        var linear = results.Select(r => r.LinearProtocol).FirstOrDefault(p => p is not null) ?? "none (kNN only)";
        s.AppendLine(string.Create(Invariant, $"label efficiency of {encoder}: linear {linear}, kNN {results[0].KnnProtocol}; {testCount} test images; mean ± sd over the draws"));
        s.AppendLine("labels/class  draws  train images    linear top-1        kNN top-1");
        foreach (var r in results)
        {
            var lin = r.LinearMean is { } m ? PlusMinus(m, r.LinearSd!.Value) : "-";
            s.AppendLine(string.Create(Invariant, $"{r.Budget.Text,-12}  {r.Draws.Count,5}  {r.TrainImages,12}  {lin,16}  {PlusMinus(r.KnnMean, r.KnnSd),16}"));
        }

        return s.ToString();
    }

    private static string PlusMinus(double mean, double sd) => string.Create(Invariant, $"{mean * 100:F2} ± {sd * 100:F2}%");

    /// <summary>One JSON object for <paramref name="r"/>: <c>labels_per_class</c> (a count, or "all") or
    /// <c>label_fraction</c>, <c>draws</c>, <c>train_images</c>, <c>linear_top1_mean</c>/<c>_sd</c> (null for kNN only),
    /// <c>knn_top1_mean</c>/<c>_sd</c> (fractions), the protocols, and each draw's figures.</summary>
    public static string Json(BudgetResult r, string encoder, int testCount)
    {
        ArgumentNullException.ThrowIfNull(r);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("encoder", encoder);
            if (r.Budget.Fraction is { } f)
            {
                w.WriteNumber("label_fraction", f);
            }
            else if (r.Budget.PerClass is { } n)
            {
                w.WriteNumber("labels_per_class", n);
            }
            else
            {
                w.WriteString("labels_per_class", "all");
            }

            w.WriteNumber("mean_labels_per_class", r.LabelsPerClass);
            w.WriteNumber("draws", r.Draws.Count);
            w.WriteNumber("train_images", r.TrainImages);
            w.WriteNumber("test_images", testCount);
            Number(w, "linear_top1_mean", r.LinearMean);
            Number(w, "linear_top1_sd", r.LinearSd);
            w.WriteNumber("knn_top1_mean", r.KnnMean);
            w.WriteNumber("knn_top1_sd", r.KnnSd);
            if (r.LinearProtocol is { } p) w.WriteString("linear_protocol", p);
            else w.WriteNull("linear_protocol");
            w.WriteString("knn_protocol", r.KnnProtocol);
            w.WriteStartArray("linear_top1");
            foreach (var d in r.Draws)
            {
                if (d.LinearTop1 is { } v) w.WriteNumberValue(v);
                else w.WriteNullValue();
            }

            w.WriteEndArray();
            w.WriteStartArray("knn_top1");
            foreach (var d in r.Draws) w.WriteNumberValue(d.KnnTop1);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    /// <summary>The CSV: a row per budget and draw (sd empty), then a <c>mean</c> row per budget; figures are fractions,
    /// linear empty for kNN only.</summary>
    public static string Csv(IReadOnlyList<BudgetResult> results, string curve)
    {
        ArgumentNullException.ThrowIfNull(results);
        var s = new StringBuilder();
        s.AppendLine(CurveCsv.Header);
        string Cell(double? v) => v is { } x ? x.ToString("R", Invariant) : "";
        foreach (var r in results)
        {
            var common = $"{CurveCsv.Quote(curve)},{r.Budget.Text},";
            var x = r.LabelsPerClass.ToString("R", Invariant);
            foreach (var d in r.Draws)
            {
                s.AppendLine(string.Create(Invariant, $"{common}{d.Draw},{r.TrainImages},{x},{Cell(d.LinearTop1)},,{Cell(d.KnnTop1)},"));
            }

            s.AppendLine(string.Create(Invariant, $"{common}mean,{r.TrainImages},{x},{Cell(r.LinearMean)},{Cell(r.LinearSd)},{Cell(r.KnnMean)},{Cell(r.KnnSd)}"));
        }

        return s.ToString();
    }
}
