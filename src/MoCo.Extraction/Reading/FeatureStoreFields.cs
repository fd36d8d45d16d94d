namespace MoCo.Extraction.Reading;

/// <summary>What <see cref="FeatureStoreReader.ReadBatches"/> reads of each row; leave out what is not needed to read faster.</summary>
[Flags]
public enum FeatureStoreFields
{
    /// <summary>Position, file and file row only.</summary>
    None = 0,

    /// <summary>The feature vector (from the feature files).</summary>
    Features = 1,

    /// <summary>Source item index and label (from the manifest).</summary>
    ItemsAndLabels = 2,

    /// <summary>The image's path or name (from the manifest; a string per row).</summary>
    Paths = 4,

    /// <summary>Everything.</summary>
    All = Features | ItemsAndLabels | Paths,
}
