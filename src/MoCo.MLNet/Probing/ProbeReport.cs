using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MoCo.MLNet.Probing;

/// <summary>A probe's figures as a table (for people) or one JSON line (for scripts).</summary>
internal static class ProbeReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Accuracies, log-loss, per-class precision and recall, and the confusion matrix.</summary>
    public static string Table(ProbeResult r, string encoder)
    {
        ArgumentNullException.ThrowIfNull(r);
        var s = new StringBuilder();
        void Line(FormattableString text) => s.AppendLine(text.ToString(Invariant));
        Line($"probe of {encoder}: {r.TrainCount} training and {r.TestCount} test images, {r.Classes.Count} classes, {r.FeatureDimension} features");
        if (r.Linear is { } linear)
        {
            var how = r.Validation is null ? "" : " (auto: " + string.Join(", ", r.Validation.Select(v => string.Create(Invariant, $"{v.Key} {v.Value * 100:F2}%"))) + " on held-out training images)";
            Line($"linear ({r.LinearProtocol ?? r.Trainer}{how}): micro accuracy {linear.MicroAccuracy * 100:F2}%, macro accuracy {linear.MacroAccuracy * 100:F2}%, log-loss {linear.LogLoss:F4}");
        }

        Line($"kNN ({r.KnnProtocol}): micro accuracy {r.Knn.MicroAccuracy * 100:F2}%, macro accuracy {r.Knn.MacroAccuracy * 100:F2}%");
        var width = Math.Max(12, r.Classes.Max(c => c.Length) + 2);
        s.AppendLine();
        s.Append("class".PadRight(width));
        if (r.Linear is not null)
        {
            s.Append("  precision     recall");
        }

        s.AppendLine("  kNN precision  kNN recall");
        for (var c = 0; c < r.Classes.Count; c++)
        {
            s.Append(r.Classes[c].PadRight(width));
            if (r.Linear is { } l)
            {
                s.Append(string.Create(Invariant, $"  {l.Precision[c],9:F4}  {l.Recall[c],9:F4}"));
            }

            s.AppendLine(string.Create(Invariant, $"  {r.Knn.Precision[c],13:F4}  {r.Knn.Recall[c],10:F4}"));
        }

        var shown = r.Linear ?? r.Knn;
        s.AppendLine();
        s.AppendLine($"confusion matrix ({(r.Linear is null ? "kNN" : "linear")}; rows: true class, columns: predicted, in the order above)");
        var cell = Math.Max(5, shown.Count.ToString(Invariant).Length + 1);
        for (var t = 0; t < r.Classes.Count; t++)
        {
            s.Append(r.Classes[t].PadRight(width));
            for (var p = 0; p < r.Classes.Count; p++)
            {
                s.Append(shown.Confusion[t, p].ToString(Invariant).PadLeft(cell));
            }

            s.AppendLine();
        }

        return s.ToString();
    }

    /// <summary>One JSON object: <c>linear_top1</c> and <c>knn_top1</c> (fractions; linear null for kNN only), the protocols
    /// that produced them (<c>linear_protocol</c>, e.g. <c>linear:lbfgs:l2=0.0001</c>; <c>knn_protocol</c>), and the rest.</summary>
    public static string Json(ProbeResult r, string encoder)
    {
        ArgumentNullException.ThrowIfNull(r);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("encoder", encoder);
            Number(w, "linear_top1", r.Linear?.MicroAccuracy);
            Number(w, "linear_macro_accuracy", r.Linear?.MacroAccuracy);
            Number(w, "linear_log_loss", r.Linear?.LogLoss);
            Number(w, "knn_top1", r.Knn.MicroAccuracy);
            Number(w, "knn_macro_accuracy", r.Knn.MacroAccuracy);
            w.WriteNumber("knn_k", r.KnnK);
            w.WriteNumber("knn_temperature", r.KnnTemperature);
            w.WriteString("knn_protocol", r.KnnProtocol);
            if (r.LinearProtocol is null)
            {
                w.WriteNull("linear_protocol");
            }
            else
            {
                w.WriteString("linear_protocol", r.LinearProtocol);
            }

            if (r.Trainer is null)
            {
                w.WriteNull("trainer");
            }
            else
            {
                w.WriteString("trainer", r.Trainer);
            }

            if (r.Validation is not null)
            {
                w.WriteStartObject("validation_top1");
                foreach (var (name, value) in r.Validation)
                {
                    w.WriteNumber(name, value);
                }

                w.WriteEndObject();
            }

            w.WriteNumber("train_count", r.TrainCount);
            w.WriteNumber("test_count", r.TestCount);
            w.WriteNumber("feature_dim", r.FeatureDimension);
            w.WriteStartArray("classes");
            foreach (var c in r.Classes)
            {
                w.WriteStringValue(c);
            }

            w.WriteEndArray();
            if (r.Linear is { } l)
            {
                Numbers(w, "linear_precision", l.Precision);
                Numbers(w, "linear_recall", l.Recall);
                Matrix(w, "linear_confusion", l.Confusion);
            }

            Numbers(w, "knn_precision", r.Knn.Precision);
            Numbers(w, "knn_recall", r.Knn.Recall);
            Matrix(w, "knn_confusion", r.Knn.Confusion);
            w.WriteNumber("featurise_seconds", Math.Round(r.FeaturiseTime.TotalSeconds, 2));
            w.WriteNumber("train_seconds", Math.Round(r.TrainTime.TotalSeconds, 2));
            w.WriteNumber("knn_seconds", Math.Round(r.KnnTime.TotalSeconds, 2));
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void Numbers(Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
    }

    private static void Matrix(Utf8JsonWriter w, string name, long[,] m)
    {
        w.WriteStartArray(name);
        for (var i = 0; i < m.GetLength(0); i++)
        {
            w.WriteStartArray();
            for (var j = 0; j < m.GetLength(1); j++)
            {
                w.WriteNumberValue(m[i, j]);
            }

            w.WriteEndArray();
        }

        w.WriteEndArray();
    }
}
