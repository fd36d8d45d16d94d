namespace MoCo.Evaluation.Selection;

/// <summary>How <see cref="LabelSelection"/> chooses the items to label.</summary>
public enum SelectionMethod
{
    /// <summary>Greedy k-center (the coreset rule of Sener &amp; Savarese 2018): each pick is the item farthest from every
    /// item chosen or labelled so far (<see cref="KCenterGreedy"/>).</summary>
    KCenter,

    /// <summary>A seeded uniform draw (<see cref="RandomSelection"/>): the baseline the others must beat.</summary>
    Random,

    /// <summary>k-means, then the items nearest each centroid, taken round-robin so the clusters get equal shares
    /// (<see cref="ClusterSelection"/>).</summary>
    Cluster,

    /// <summary>TypiClust (Hacohen et al. 2022): k-means into labelled + budget clusters, then the most typical item
    /// (densest: nearest its 20 nearest neighbours) of each, round-robin (<see cref="TypicalSelection"/>).</summary>
    Typical,
}

/// <summary>The names <c>moco select --method</c> takes.</summary>
public static class SelectionMethodNames
{
    /// <summary>The accepted names, as messages list them.</summary>
    public const string All = "kcenter, random, cluster, typical";

    /// <summary>The method named <paramref name="name"/> (kcenter, random, cluster, typical).</summary>
    /// <exception cref="ArgumentException">Another name.</exception>
    public static SelectionMethod Parse(string name) => name switch
    {
        "kcenter" => SelectionMethod.KCenter,
        "random" => SelectionMethod.Random,
        "cluster" => SelectionMethod.Cluster,
        "typical" => SelectionMethod.Typical,
        _ => throw new ArgumentException($"selection method '{name}' is not one of {All}"),
    };

    /// <summary>The name of <paramref name="method"/>, as <see cref="Parse"/> reads it.</summary>
    public static string Name(SelectionMethod method) => method switch
    {
        SelectionMethod.KCenter => "kcenter",
        SelectionMethod.Random => "random",
        SelectionMethod.Cluster => "cluster",
        SelectionMethod.Typical => "typical",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };
}
