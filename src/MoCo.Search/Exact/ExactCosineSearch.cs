using System.Numerics.Tensors;
using MoCo.Evaluation;

namespace MoCo.Search.Exact;

/// <summary>
/// Brute-force cosine search: every query against every row, as dot products of unit vectors, blocked so that a block
/// of rows stays in cache while a block of queries runs over it. The oracle the ANN index is measured against, and
/// <c>moco neighbors --exact</c>.
/// </summary>
internal static class ExactCosineSearch
{
    private const int RowBlock = 256;
    private const int QueryBlock = 32;

    /// <summary>
    /// The <paramref name="k"/> rows of <paramref name="unitRows"/> (rows of norm 1, e.g. <see cref="FeatureMatrix.L2Normalised"/>)
    /// most similar to each row of <paramref name="unitQueries"/>, most similar first. <paramref name="excluded"/>
    /// (null, or one row per query, −1 for none) is left out of that query's result: a query that is itself a row.
    /// Queries are split over <paramref name="threads"/> threads; the result does not depend on the split.
    /// </summary>
    public static Neighbor[][] Search(FeatureMatrix unitRows, FeatureMatrix unitQueries, int k, IReadOnlyList<long>? excluded = null, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(unitRows);
        ArgumentNullException.ThrowIfNull(unitQueries);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (unitRows.Columns != unitQueries.Columns)
        {
            throw new ArgumentException($"queries of {unitQueries.Columns} features against rows of {unitRows.Columns}.", nameof(unitQueries));
        }

        if (excluded is not null && excluded.Count != unitQueries.Rows)
        {
            throw new ArgumentException($"{excluded.Count} excluded rows for {unitQueries.Rows} queries.", nameof(excluded));
        }

        var results = new Neighbor[unitQueries.Rows][];
        var blocks = (unitQueries.Rows + QueryBlock - 1) / QueryBlock;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads }, block =>
        {
            var first = block * QueryBlock;
            var count = Math.Min(QueryBlock, unitQueries.Rows - first);
            var best = new TopK[count];
            for (var q = 0; q < count; q++)
            {
                best[q] = new TopK(k);
            }

            for (var start = 0; start < unitRows.Rows; start += RowBlock)
            {
                var end = Math.Min(start + RowBlock, unitRows.Rows);
                for (var q = 0; q < count; q++)
                {
                    var query = unitQueries.Row(first + q);
                    var skip = excluded?[first + q] ?? -1;
                    for (var row = start; row < end; row++)
                    {
                        if (row != skip)
                        {
                            best[q].Offer(row, TensorPrimitives.Dot(query, unitRows.Row(row)));
                        }
                    }
                }
            }

            for (var q = 0; q < count; q++)
            {
                results[first + q] = best[q].ToArray();
            }
        });
        return results;
    }

    /// <summary>The rows in [<paramref name="start"/>, <paramref name="end"/>) compared with one unit
    /// <paramref name="query"/>, leaving out <paramref name="excluded"/>, offered to <paramref name="best"/>.</summary>
    public static void Scan(FeatureMatrix unitRows, ReadOnlySpan<float> query, int start, int end, long excluded, TopK best)
    {
        ArgumentNullException.ThrowIfNull(unitRows);
        ArgumentNullException.ThrowIfNull(best);
        if (query.Length != unitRows.Columns)
        {
            throw new ArgumentException($"a query of {query.Length} features against rows of {unitRows.Columns}.", nameof(query));
        }

        for (var row = start; row < end; row++)
        {
            if (row != excluded)
            {
                best.Offer(row, TensorPrimitives.Dot(query, unitRows.Row(row)));
            }
        }
    }
}
