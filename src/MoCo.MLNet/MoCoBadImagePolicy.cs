namespace MoCo.MLNet;

/// <summary>What <c>MoCoFeatures</c> does with a row whose image cannot be read or decoded.</summary>
public enum MoCoBadImagePolicy
{
    /// <summary>Default: throw an <see cref="InvalidDataException"/> naming the row and the image.</summary>
    Throw = 0,

    /// <summary>
    /// Give the row NaN features, so that <c>mlContext.Data.FilterRowsByMissingValues(data, outputColumn)</c>
    /// drops it.
    /// </summary>
    NaN = 1,
}
