namespace MoCo.Search;

/// <summary>A row of the store and its cosine similarity to a query.</summary>
/// <param name="Row">The row number in store order (0 = the first row of the first feature file).</param>
/// <param name="Similarity">Cosine similarity, in [−1, 1].</param>
internal readonly record struct Neighbor(long Row, float Similarity)
{
    /// <summary>Most similar first; equal similarities by row number, so results do not depend on the search's order.</summary>
    public static int MostSimilarFirst(Neighbor a, Neighbor b)
    {
        var bySimilarity = b.Similarity.CompareTo(a.Similarity);
        return bySimilarity != 0 ? bySimilarity : a.Row.CompareTo(b.Row);
    }
}
