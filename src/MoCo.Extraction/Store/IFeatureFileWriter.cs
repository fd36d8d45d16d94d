namespace MoCo.Extraction.Store;

/// <summary>Writes one part's rows as a feature file.</summary>
internal interface IFeatureFileWriter
{
    /// <summary>File extension, with the dot.</summary>
    string Extension { get; }

    /// <summary>Writes <paramref name="part"/> (at least one row) to <paramref name="output"/>.</summary>
    void Write(Stream output, FeaturePart part);
}
