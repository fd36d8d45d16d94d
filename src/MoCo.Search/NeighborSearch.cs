using MoCo.Evaluation;
using MoCo.Search.Ann;
using MoCo.Search.Exact;
using MoCo.Search.Index;

namespace MoCo.Search;

/// <summary>
/// k nearest rows of a store to a feature vector by cosine similarity: exactly (every row), or through the store's ANN
/// index for the rows it covers plus an exact scan of rows appended since it was last updated. A query that is itself
/// a row of the store names that row, which is then not its own neighbour.
/// </summary>
internal sealed class NeighborSearch : IDisposable
{
    private readonly FeatureMatrix _unitRows;
    private readonly HnswCosineIndex? _index;
    private readonly long _covered;

    private NeighborSearch(StoreRows rows, HnswCosineIndex? index, long covered)
    {
        Rows = rows;
        _unitRows = rows.Features.L2Normalised();
        _index = index;
        _covered = covered;
    }

    public StoreRows Rows { get; }

    /// <summary>Whether searches go through the ANN index.</summary>
    public bool Approximate => _index is not null;

    /// <summary>Rows the ANN index does not cover yet (searched exactly).</summary>
    public long RowsBeyondIndex => _index is null ? 0 : Rows.Count - _covered;

    /// <summary>Searches every row.</summary>
    public static NeighborSearch Exact(StoreRows rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        rows.Validate();
        return new NeighborSearch(rows, null, 0);
    }

    /// <summary>Searches through the index in <paramref name="folder"/>.</summary>
    /// <exception cref="InvalidOperationException">There is no index there that describes the store (the message says why and what to run).</exception>
    public static NeighborSearch Indexed(string folder, StoreRows rows, int expansionSearch)
    {
        ArgumentNullException.ThrowIfNull(rows);
        rows.Validate();
        var (index, covered, why) = StoreIndex.Open(folder, rows);
        if (index is null)
        {
            throw new InvalidOperationException(why is null
                ? $"store {folder} has no index: run `moco index --store {folder}` first, or pass --exact."
                : $"the index in {folder} does not describe the store ({why}): run `moco index --store {folder}`, or pass --exact.");
        }

        index.SetExpansionSearch(expansionSearch);
        return new NeighborSearch(rows, index, covered);
    }

    /// <summary>The <paramref name="k"/> rows most similar to <paramref name="features"/> (not unit length necessarily),
    /// most similar first, leaving out <paramref name="excludedRow"/> (−1: none).</summary>
    public Neighbor[] Query(ReadOnlySpan<float> features, int k, long excludedRow = -1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var unit = new float[features.Length];
        features.CopyTo(unit);
        var norm = MathF.Max(System.Numerics.Tensors.TensorPrimitives.Norm(unit), 1e-12f);
        System.Numerics.Tensors.TensorPrimitives.Divide(unit, norm, unit);

        var best = new TopK(k);
        if (_index is null)
        {
            ExactCosineSearch.Scan(_unitRows, unit, 0, Rows.Count, excludedRow, best);
            return best.ToArray();
        }

        // One more than asked, in case the query's own row comes back; rescored exactly so that ANN and exact
        // results carry the same similarities.
        var want = (int)Math.Min(k + 1, _covered);
        var found = new long[want];
        var similarities = new float[want];
        var n = _index.Search(unit, found, similarities);
        for (var i = 0; i < n; i++)
        {
            if (found[i] != excludedRow)
            {
                best.Offer(found[i], System.Numerics.Tensors.TensorPrimitives.Dot(unit, _unitRows.Row((int)found[i])));
            }
        }

        ExactCosineSearch.Scan(_unitRows, unit, (int)_covered, Rows.Count, excludedRow, best);
        return best.ToArray();
    }

    /// <summary>The <paramref name="k"/> nearest other rows of every row (row r's list leaves out r), on
    /// <paramref name="threads"/> threads: the candidate pairs of <see cref="Dedup.NearDuplicates"/>.</summary>
    public Neighbor[][] AllRows(int k, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (_index is null)
        {
            var self = Enumerable.Range(0, Rows.Count).Select(r => (long)r).ToArray();
            return ExactCosineSearch.Search(_unitRows, _unitRows, k, self, threads);
        }

        _index.SetSearchThreads(threads);
        var result = new Neighbor[Rows.Count][];
        Parallel.For(0, Rows.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, r => result[r] = Query(_unitRows.Row(r), k, r));
        return result;
    }

    public void Dispose() => _index?.Dispose();
}
