using MoCo.Cli.Report;
using MoCo.Evaluation;
using MoCo.Imaging.Datasets;

namespace MoCo.Cli.Tests.Report;

/// <summary>A small store held in memory for the report: three classes as blobs of 16-d features, 28×28 gray images
/// whose brightness pattern follows the class, and one row per class labelled as the next class (so the gallery has
/// wrong-label neighbours to mark).</summary>
internal static class ReportFixtures
{
    public const int PerClass = 40;

    public static ReportData Store(int classes = 3, bool labelled = true, bool images = true)
    {
        var rng = new Random(1);
        var rows = classes * PerClass;
        const int Dim = 16;
        var values = new float[rows * Dim];
        var labels = new int[rows];
        var pixels = new byte[rows * 28 * 28];
        var centres = Enumerable.Range(0, classes).Select(_ => Enumerable.Range(0, Dim).Select(_ => (rng.NextDouble() * 2) - 1).ToArray()).ToArray();
        for (var i = 0; i < rows; i++)
        {
            var c = i / PerClass;
            labels[i] = i % PerClass == 0 ? (c + 1) % classes : c;
            for (var d = 0; d < Dim; d++) values[(i * Dim) + d] = (float)(centres[c][d] + (0.05 * ((rng.NextDouble() * 2) - 1)));
            for (var p = 0; p < 28 * 28; p++) pixels[(i * 784) + p] = (byte)((((p / 28) + (p % 28) * (c + 1)) * 9 + i) % 256);
        }

        var dataset = ImageDatasets.FromArrays(pixels, rows, 28, 28, 1, labels);
        return new ReportData
        {
            Features = new FeatureMatrix(values, rows, Dim),
            Labels = labelled ? labels : Enumerable.Repeat(-1, rows).ToArray(),
            Paths = Enumerable.Range(0, rows).Select(dataset.Describe).ToArray(),
            Items = Enumerable.Range(0, rows).ToArray(),
            Classes = labelled ? Enumerable.Range(0, classes).Select(c => $"class {c}").ToArray() : [],
            Images = images ? dataset : null,
            Title = "test store",
            Facts = ["model: none", $"{rows} rows"],
        };
    }
}
