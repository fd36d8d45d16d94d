using MoCo.Evaluation;
using MoCo.Imaging.Datasets;

namespace MoCo.Cli.Report;

/// <summary>
/// What a report shows of a feature store, held in memory: the rows' features, labels and paths, the source's class
/// names, and (when the source can still be opened) the images themselves for thumbnails.
/// </summary>
internal sealed class ReportData
{
    /// <summary>N × D features, one row per extracted image.</summary>
    public required FeatureMatrix Features { get; init; }

    /// <summary>Each row's class index, or -1 when unlabelled.</summary>
    public required IReadOnlyList<int> Labels { get; init; }

    /// <summary>Each row's path (an image file, or <c>file[index]</c> for IDX items).</summary>
    public required IReadOnlyList<string> Paths { get; init; }

    /// <summary>Each row's index in <see cref="Images"/> (the store's item id).</summary>
    public required IReadOnlyList<int> Items { get; init; }

    /// <summary>Class names by label (empty when unlabelled).</summary>
    public required IReadOnlyList<string> Classes { get; init; }

    /// <summary>The source's images by item id, or null when the source cannot be opened (no thumbnails then).</summary>
    public IImageDataset? Images { get; init; }

    /// <summary>What the page's heading says about the store (folder, model, source).</summary>
    public required string Title { get; init; }

    /// <summary>Lines under the heading (model, source, counts).</summary>
    public IReadOnlyList<string> Facts { get; init; } = [];

    /// <summary>Row <paramref name="row"/>'s class name, or "unlabelled".</summary>
    public string LabelName(int row) => Labels[row] >= 0 && Labels[row] < Classes.Count ? Classes[Labels[row]] : Labels[row] >= 0 ? Labels[row].ToString(System.Globalization.CultureInfo.InvariantCulture) : "unlabelled";

    /// <summary>Whether rows carry labels.</summary>
    public bool Labelled => Labels.Any(l => l >= 0);
}
