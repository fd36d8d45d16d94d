namespace MoCo.Extraction.Reading;

/// <summary>Reads the feature rows of one store file (rows × D float32), a slice at a time.</summary>
internal interface IFeatureFileReader : IDisposable
{
    /// <summary>Rows in the file.</summary>
    int Rows { get; }

    /// <summary>Copies rows <paramref name="start"/>..start+n-1 into <paramref name="destination"/> (n·D values, row-major).</summary>
    void Read(int start, Span<float> destination);
}
