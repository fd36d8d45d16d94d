using Microsoft.ML;

namespace MoCo.MLNet.Probing;

/// <summary>What <c>moco probe --out DIR</c> writes: the model zip, its consumption file, and the confusion-matrix picture.</summary>
internal static class ProbeOutputs
{
    public const string ModelFile = "model.zip";

    public const string ConsumptionFile = "MoCoProbeModel.consumption.cs";

    public const string ConfusionFile = "confusion-matrix.svg";

    /// <summary>Writes the outputs into <paramref name="directory"/> (created); returns the paths written.</summary>
    public static IReadOnlyList<string> Write(ProbeResult result, string directory, string encoder)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        if (result.Model is { } model)
        {
            var zip = Path.Combine(directory, ModelFile);
            new MLContext().Model.Save(model, result.InputSchema, zip);
            written.Add(zip);
            var code = Path.Combine(directory, ConsumptionFile);
            File.WriteAllText(code, ConsumptionCode.Render("MoCoProbeModel", ModelFile, result.Classes.Count));
            written.Add(code);
        }

        var svg = Path.Combine(directory, ConfusionFile);
        var (metrics, what) = result.Linear is { } l ? (l, $"linear ({result.Trainer})") : (result.Knn, "kNN");
        File.WriteAllText(svg, ConfusionMatrixSvg.Render(metrics.Confusion, result.Classes,
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{encoder}: {what}, top-1 {metrics.MicroAccuracy * 100:F2}% on {metrics.Count} test images")));
        written.Add(svg);
        return written;
    }
}
