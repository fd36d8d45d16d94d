using System.Globalization;
using System.Text;
using MoCo.Evaluation;

namespace MoCo.Cli.Report;

/// <summary>
/// Sample queries with their nearest rows by cosine similarity (exact, over every row; a query is not its own
/// neighbour), neighbours whose label differs from the query's marked. Queries go round the classes (a seeded order
/// within each), so every class shows up; unlabelled stores take a seeded sample.
/// </summary>
internal static class NeighbourGallery
{
    /// <summary>One query row and its neighbours, most similar first.</summary>
    internal sealed record Query(int Row, IReadOnlyList<(int Row, float Similarity)> Neighbours);

    /// <summary>The queries and their <paramref name="k"/> nearest rows.</summary>
    public static IReadOnlyList<Query> Find(ReportData data, int queries, int k, ulong seed)
    {
        var x = data.Features.L2Normalised();
        return ChooseQueries(data, Math.Min(queries, x.Rows), seed).Select(q => new Query(q, Nearest(x, q, Math.Min(k, x.Rows - 1)))).ToList();
    }

    /// <summary>The section's markup.</summary>
    public static string Section(ReportData data, IReadOnlyList<Query> queries, Thumbnails thumbnails)
    {
        var html = new StringBuilder();
        var wrong = queries.Sum(q => q.Neighbours.Count(n => Differs(data, q.Row, n.Row)));
        var total = queries.Sum(q => q.Neighbours.Count);
        if (data.Labelled) html.Append(CultureInfo.InvariantCulture, $"<p>{total - wrong} of {total} neighbours share their query's label; the {wrong} that do not are framed in red and marked ✗.</p>\n");
        foreach (var query in queries)
        {
            html.Append("<div class=\"gallery-row\">");
            Html.Tile(html, thumbnails.DataUri(query.Row), data.Paths[query.Row], $"query<br>{Html.Encode(data.LabelName(query.Row))}", "query");
            foreach (var (row, similarity) in query.Neighbours)
            {
                var differs = Differs(data, query.Row, row);
                var caption = $"{(differs ? "✗ " : "")}{Html.Encode(data.LabelName(row))}<br>{Html.F(similarity, "0.000")}";
                Html.Tile(html, thumbnails.DataUri(row), data.Paths[row], caption, differs ? "wrong" : "");
            }

            html.Append("</div>\n");
        }

        return html.ToString();
    }

    private static bool Differs(ReportData data, int a, int b) => data.Labels[a] >= 0 && data.Labels[b] >= 0 && data.Labels[a] != data.Labels[b];

    private static IEnumerable<int> ChooseQueries(ReportData data, int count, ulong seed)
    {
        var random = new Random(Commands.ProbeCommand.Seed32(seed));
        if (!data.Labelled) return PcaMap.Sample(data.Features.Rows, count, seed);
        var byClass = Enumerable.Range(0, data.Features.Rows).GroupBy(i => data.Labels[i]).OrderBy(g => g.Key)
            .Select(g =>
            {
                var rows = g.ToArray();
                random.Shuffle(rows);
                return new Queue<int>(rows);
            }).ToList();
        var chosen = new List<int>();
        while (chosen.Count < count)
        {
            foreach (var queue in byClass)
            {
                if (chosen.Count < count && queue.Count > 0) chosen.Add(queue.Dequeue());
            }
        }

        return chosen;
    }

    /// <summary>The k rows of largest cosine similarity to row q (not q itself), most similar first; ties by the lower row.</summary>
    internal static List<(int Row, float Similarity)> Nearest(FeatureMatrix normalised, int q, int k)
    {
        var best = new List<(int Row, float Similarity)>(k + 1);
        var query = normalised.Row(q).ToArray();
        for (var i = 0; i < normalised.Rows; i++)
        {
            if (i == q) continue;
            float s = 0;
            var row = normalised.Row(i);
            for (var d = 0; d < row.Length; d++) s += row[d] * query[d];
            if (best.Count == k && s <= best[^1].Similarity) continue;
            var at = best.FindIndex(b => s > b.Similarity);
            best.Insert(at < 0 ? best.Count : at, (i, s));
            if (best.Count > k) best.RemoveAt(k);
        }

        return best;
    }
}
