using System.Globalization;
using System.Text;
using MoCo.MLNet.Probing;
using MoCo.Training.Trainer;

namespace MoCo.Cli.Report;

/// <summary>What goes into a report besides the store (every part optional) and how much of the store it shows.</summary>
internal sealed record ReportSettings
{
    /// <summary>A pretraining run's folder (its log.jsonl gives the curves).</summary>
    public string? Run { get; init; }

    /// <summary>A <c>moco probe --out</c> folder (its confusion-matrix.svg).</summary>
    public string? Probe { get; init; }

    /// <summary>A <c>moco dedup</c> groups.csv.</summary>
    public string? Groups { get; init; }

    /// <summary>Gallery queries.</summary>
    public int Queries { get; init; } = 12;

    /// <summary>Neighbours per query.</summary>
    public int Neighbours { get; init; } = 8;

    /// <summary>Rows on the 2-D map at most.</summary>
    public int MapPoints { get; init; } = 2000;

    /// <summary>Seed of the query and map samples.</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// The report: one HTML file with everything inside it (thumbnails and figures as data URIs, CSS in the page, no
/// script), so it opens from a mail attachment or a CI artefact as it does from disk. Sections: the store's facts,
/// pretraining curves (<see cref="CurvePlot"/>, the figure the run itself draws), the neighbour gallery, the PCA map,
/// duplicate groups, the probe's confusion matrix; a part whose input is missing says how to get it.
/// </summary>
internal static class ReportPage
{
    private const string Style = """
        body { font-family: sans-serif; margin: 24px; color: #222; background: #fff; }
        h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; }
        .facts { color: #555; } .missing { color: #777; font-style: italic; }
        .gallery-row { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0; align-items: flex-start; }
        .tile { margin: 0; width: 100px; text-align: center; font-size: 11px; border: 3px solid transparent; }
        .tile img { width: 96px; height: 96px; image-rendering: pixelated; background: #eee; display: block; margin: auto; }
        .tile.query { border-color: #1f77b4; } .tile.wrong { border-color: #d62728; }
        .noimage { width: 96px; height: 96px; background: #eee; color: #999; line-height: 96px; margin: auto; }
        .group-name { width: 100px; font-size: 12px; font-weight: bold; }
        img.figure { max-width: 100%; }
        """;

    /// <summary>The page.</summary>
    public static string Render(ReportData data, ReportSettings settings)
    {
        var thumbnails = new Thumbnails(data);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(Html.Encode(data.Title)).Append("</title><style>").Append(Style).Append("</style></head><body>\n");
        html.Append(CultureInfo.InvariantCulture, $"<h1>{Html.Encode(data.Title)}</h1>\n<div class=\"facts\">");
        foreach (var fact in data.Facts) html.Append(Html.Encode(fact)).Append("<br>");
        html.Append("</div>\n");

        html.Append("<h2>Pretraining</h2>\n").Append(Curves(settings.Run)).Append('\n');
        html.Append("<h2>Nearest neighbours</h2>\n");
        html.Append(data.Features.Rows < 2 ? Missing("the store has fewer than two rows.") : NeighbourGallery.Section(data, NeighbourGallery.Find(data, settings.Queries, settings.Neighbours, settings.Seed), thumbnails));
        html.Append("<h2>Map of the features (PCA)</h2>\n");
        html.Append(data.Features.Rows < 2 ? Missing("the store has fewer than two rows.") : PcaMap.Section(data, settings.MapPoints, settings.Seed)).Append('\n');
        html.Append("<h2>Near-duplicates</h2>\n");
        html.Append(settings.Groups is { } groups ? DuplicateGroups.Section(data, DuplicateGroups.Read(groups), thumbnails)
            : Missing("no groups given: run moco dedup --store DIR --out DEDUP, then moco report --groups DEDUP/groups.csv.")).Append('\n');
        html.Append("<h2>Linear probe</h2>\n").Append(Confusion(settings.Probe)).Append('\n');
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static string Curves(string? run)
    {
        if (run is null) return Missing("no run given (--run PRETRAIN_DIR draws its loss and kNN curves from log.jsonl).");
        var log = Path.Combine(run, PretrainRun.LogFile);
        if (!File.Exists(log)) throw new FileNotFoundException($"--run: {log} does not exist (give the folder moco pretrain wrote)", log);
        var entries = RunLog.Read(log);
        return $"<p>{entries.Count} log lines from {Html.Encode(Path.GetFullPath(log))}.</p>" + Html.SvgImage(CurvePlot.Svg(entries), "pretraining loss and kNN top-1");
    }

    private static string Confusion(string? probe)
    {
        if (probe is null) return Missing("no probe given (--probe DIR shows the confusion matrix that moco probe --out DIR wrote).");
        var svg = Path.Combine(probe, ProbeOutputs.ConfusionFile);
        if (!File.Exists(svg)) throw new FileNotFoundException($"--probe: {svg} does not exist (give the folder of moco probe --out)", svg);
        return $"<p>From {Html.Encode(Path.GetFullPath(svg))}.</p>" + Html.SvgImage(File.ReadAllText(svg), "confusion matrix");
    }

    private static string Missing(string why) => $"<p class=\"missing\">{Html.Encode(why)}</p>";
}
