namespace MoCo.Imaging.Datasets;

/// <summary>What a <see cref="DataSourceSpec"/> names.</summary>
public enum DataSourceKind
{
    /// <summary><c>fashion-mnist[:train|test]</c>: Debian's Fashion-MNIST (IDX files in <see cref="FashionMnist.Directory"/>).</summary>
    FashionMnist,

    /// <summary><c>idx:DIR[:train|test]</c>: an MNIST-layout folder of IDX files.</summary>
    Idx,

    /// <summary>An image folder: <c>root/&lt;class&gt;/**</c> (labelled) or flat (unlabelled).</summary>
    Folder,

    /// <summary>A .txt or .csv list, one <c>path[,label]</c> per line.</summary>
    List,

    /// <summary>A .txt list written by <c>moco select</c>: some items of another source (<see cref="SelectionList"/>).</summary>
    Selection,
}
