using System.Globalization;
using System.Text;

namespace MoCo.Training.Ablation;

/// <summary>The ablation's results as a CSV file (for plots and spreadsheets) and a Markdown table (for docs).</summary>
public static class AblationTable
{
    /// <summary>The CSV header, in column order.</summary>
    public const string CsvHeader = "name,sweeps,method,negatives,momentum,shuffle_bn,batch,epochs,final_loss,knn_top1,linear_top1,seconds,status,reason,knn_protocol,linear_protocol";

    /// <summary>The CSV text: <see cref="CsvHeader"/>, then one line per result; accuracies as fractions, empty when absent;
    /// sweeps joined by ';'; the reason quoted; last, the protocols' names (which kNN and which linear trainer produced the
    /// figures; no commas; empty in rows without figures), after the columns of earlier versions so their positions hold.</summary>
    public static string Csv(IEnumerable<AblationResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var text = new StringBuilder(CsvHeader).Append('\n');
        foreach (var r in results)
        {
            text.Append(Invariant($"{r.Name},{string.Join(';', r.Sweeps)},{r.Method},{r.Negatives},{r.Momentum:R},{(r.ShuffleBn ? "on" : "off")},{r.BatchSize},{r.Epochs},"))
                .Append(Invariant($"{Number(r.FinalLoss, "F4")},{Number(r.KnnTop1, "F4")},{Number(r.LinearTop1, "F4")},{r.Seconds:F0},{r.Status},"))
                .Append(Quote(r.Reason)).Append(Invariant($",{r.KnnProtocol},{r.LinearProtocol}")).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>A Markdown table: method, K, m, shuffle BN (both "–" for mechanisms without a key encoder), batch, epochs,
    /// final loss, kNN and linear top-1 (%), seconds, status (with the reason when not ok).</summary>
    public static string Markdown(IEnumerable<AblationResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var text = new StringBuilder("| method | K | m | shuffle BN | batch | epochs | final loss | kNN top-1 | linear top-1 | seconds | status |\n")
            .Append("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        foreach (var r in results)
        {
            string status = r.Reason is null ? r.Status : $"{r.Status}: {r.Reason.Replace("|", "\\|", StringComparison.Ordinal)}";
            // m and shuffle BN belong to MoCo's key encoder: the other mechanisms have none.
            bool moco = r.Method == "moco";
            string m = moco ? r.Momentum.ToString("R", CultureInfo.InvariantCulture) : "–", shuffle = moco ? (r.ShuffleBn ? "on" : "off") : "–";
            text.Append(Invariant($"| {r.Method} | {r.Negatives} | {m} | {shuffle} | {r.BatchSize} | {r.Epochs} | "))
                .Append(Invariant($"{Number(r.FinalLoss, "F3")} | {Percent(r.KnnTop1)} | {Percent(r.LinearTop1)} | {r.Seconds:F0} | {status} |\n"));
        }
        return text.ToString();
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Number(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "";

    private static string Percent(double? value) => value is { } v ? (v * 100).ToString("F2", CultureInfo.InvariantCulture) + "%" : "–";

    private static string Quote(string? text) => text is null ? "" : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
