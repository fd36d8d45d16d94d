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
}

/// <summary>The names <c>moco select --method</c> takes.</summary>
public static class SelectionMethodNames
{
    /// <summary>The accepted names, as messages list them.</summary>
    public const string All = "kcenter, random, cluster";

    /// <summary>The method named <paramref name="name"/> (kcenter, random, cluster).</summary>
    /// <exception cref="ArgumentException">Another name.</exception>
    public static SelectionMethod Parse(string name) => name switch
    {
        "kcenter" => SelectionMethod.KCenter,
        "random" => SelectionMethod.Random,
        "cluster" => SelectionMethod.Cluster,
        _ => throw new ArgumentException($"selection method '{name}' is not one of {All}"),
    };

    /// <summary>The name of <paramref name="method"/>, as <see cref="Parse"/> reads it.</summary>
    public static string Name(SelectionMethod method) => method switch
    {
        SelectionMethod.KCenter => "kcenter",
        SelectionMethod.Random => "random",
        SelectionMethod.Cluster => "cluster",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };
}
