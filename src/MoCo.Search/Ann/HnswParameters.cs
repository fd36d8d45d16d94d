namespace MoCo.Search.Ann;

/// <summary>
/// The HNSW graph's knobs (Malkov and Yashunin, 2018), as USearch names them. Defaults are USearch's own; recall@10
/// against exact search is measured in docs/search.md.
/// </summary>
/// <param name="Connectivity">Links per node (HNSW's M); default 16.</param>
/// <param name="ExpansionAdd">Candidates kept while inserting (efConstruction); default 128.</param>
/// <param name="ExpansionSearch">Candidates kept while searching (ef); default 64. Not stored in the file: a search sets it.</param>
internal sealed record HnswParameters(int Connectivity = 16, int ExpansionAdd = 128, int ExpansionSearch = 64)
{
    /// <summary>USearch's defaults.</summary>
    public static HnswParameters Default { get; } = new();

    /// <summary>Throws unless every value is at least 1 (USearch would read 0 as "its default", hiding a typo).</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Connectivity, 2, nameof(Connectivity));
        ArgumentOutOfRangeException.ThrowIfLessThan(ExpansionAdd, 1, nameof(ExpansionAdd));
        ArgumentOutOfRangeException.ThrowIfLessThan(ExpansionSearch, 1, nameof(ExpansionSearch));
    }
}
