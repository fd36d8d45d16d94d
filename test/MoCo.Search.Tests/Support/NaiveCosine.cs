using MoCo.Evaluation;

namespace MoCo.Search.Tests.Support;

/// <summary>The reference: cosine of every pair in double precision from the raw rows (no normalised copy, no blocking),
/// all rows sorted by similarity then row number.</summary>
internal static class NaiveCosine
{
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return dot / Math.Max(Math.Sqrt(na) * Math.Sqrt(nb), 1e-300);
    }

    public static (long Row, double Similarity)[] Ranked(FeatureMatrix rows, ReadOnlySpan<float> query, long excluded = -1)
    {
        var all = new List<(long, double)>();
        for (var r = 0; r < rows.Rows; r++)
        {
            if (r != excluded)
            {
                all.Add((r, Cosine(query, rows.Row(r))));
            }
        }

        return all.OrderByDescending(p => p.Item2).ThenBy(p => p.Item1).ToArray();
    }

    /// <summary>Fraction of the exact top-k rows that <paramref name="found"/> holds, over all queries.</summary>
    public static double Recall(IReadOnlyList<IReadOnlyList<long>> exact, IReadOnlyList<IReadOnlyList<long>> found)
    {
        long hits = 0, total = 0;
        for (var q = 0; q < exact.Count; q++)
        {
            var set = found[q].ToHashSet();
            hits += exact[q].Count(set.Contains);
            total += exact[q].Count;
        }

        return (double)hits / total;
    }
}
