using MoCo.Extraction.Store;

namespace MoCo.Extraction.Tests.Support;

/// <summary>
/// Stores written through the store's own writer (FeatureStore.Commit) from generated rows instead of an encoder:
/// large stores in seconds, and features whose values a test knows. Row r (source item r) has label
/// <c>labels(r)</c>, path <c>img/r.png</c>, features <c>features(r, buffer)</c>.
/// </summary>
internal static class SyntheticStore
{
    public static StoreSettings Settings(int dimension, StoreFormat format, int rows, int classes) => new(
        ModelSha256: new string('a', 64), ModelPath: "/nowhere/encoder.onnx", Preprocessing: "synthetic", FeatureDimension: dimension, Format: format,
        Source: "synthetic", SourceFingerprint: new string('b', 64), SourceCount: rows, JobShard: "0/1", Labelled: classes > 0,
        LabelNames: classes > 0 ? Enumerable.Range(0, classes).Select(c => $"class{c}").ToArray() : null);

    public static string Path(int row) => $"img/{row}.png";

    public static void Write(string folder, StoreSettings settings, int rowsPerFile, Func<int, int> labels, Action<int, float[]> features)
    {
        using var store = FeatureStore.OpenForRun(folder, settings);
        var part = new FeaturePart(settings.FeatureDimension);
        var buffer = new float[settings.FeatureDimension];
        for (var row = 0; row < settings.SourceCount; row++)
        {
            features(row, buffer);
            part.AddRow(row, Path(row), labels(row), buffer);
            if (part.Rows == rowsPerFile)
            {
                store.Commit(part);
                part.Clear();
            }
        }

        store.Commit(part);
    }
}
