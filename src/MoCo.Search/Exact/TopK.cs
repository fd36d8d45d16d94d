namespace MoCo.Search.Exact;

/// <summary>The k best neighbours seen so far (<see cref="Neighbor.MostSimilarFirst"/> order), kept sorted in a small
/// array: k is small (tens), so an insertion beats a heap and the result needs no final sort.</summary>
internal sealed class TopK
{
    private readonly Neighbor[] _best;

    public TopK(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        _best = new Neighbor[k];
    }

    /// <summary>Neighbours held (at most k).</summary>
    public int Count { get; private set; }

    /// <summary>Offers a candidate; kept when it beats the worst held (or fewer than k are held).</summary>
    public void Offer(long row, float similarity)
    {
        var candidate = new Neighbor(row, similarity);
        if (Count == _best.Length && Neighbor.MostSimilarFirst(candidate, _best[Count - 1]) >= 0)
        {
            return;
        }

        var i = Count == _best.Length ? Count - 1 : Count++;
        while (i > 0 && Neighbor.MostSimilarFirst(candidate, _best[i - 1]) < 0)
        {
            _best[i] = _best[i - 1];
            i--;
        }

        _best[i] = candidate;
    }

    public Neighbor[] ToArray() => _best.AsSpan(0, Count).ToArray();

    public void Clear() => Count = 0;
}
