using Microsoft.ML;
using MoCo.Extraction.DataView;
using MoCo.Extraction.Reading;

namespace MoCo.Extraction;

/// <summary>
/// A feature store as an ML.NET <see cref="IDataView"/>, so models train on extracted features without running the
/// encoder again. Columns: <c>Features</c> (<c>Vector&lt;Single, D&gt;</c>), <c>Label</c> (a key of the store's
/// <see cref="FeatureStoreReader.ClassCount"/> classes with the class names as key values; labelled stores only; key 0
/// = no label), <c>ImagePath</c> (text), <c>Item</c> (Int32, the image's index in the source). Rows stream from the
/// files in store order through a cursor, so memory stays flat whatever the store's size; the view never takes the
/// store's writer lock.
/// </summary>
/// <example>
/// <code>
/// var data = MoCoStore.Load(mlContext, "features/");
/// var model = mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy().Fit(mlContext.Data.Cache(data));
/// </code>
/// </example>
public static class MoCoStore
{
    /// <summary>Name of the features column.</summary>
    public const string FeaturesColumn = "Features";

    /// <summary>Name of the label column (labelled stores only).</summary>
    public const string LabelColumn = "Label";

    /// <summary>Name of the image path column.</summary>
    public const string ImagePathColumn = "ImagePath";

    /// <summary>Name of the source item column.</summary>
    public const string ItemColumn = "Item";

    /// <summary>Opens the store in <paramref name="folder"/> as a data view (a snapshot: the files committed now).</summary>
    /// <param name="mlContext">The context (not used beyond the argument check; the view holds no state of it).</param>
    /// <param name="folder">The store folder (<c>moco extract --out</c>, or a merged store).</param>
    /// <exception cref="FileNotFoundException">The folder holds no manifest.db.</exception>
    /// <exception cref="InvalidDataException">The manifest is unreadable or of an unknown version.</exception>
    public static IDataView Load(MLContext mlContext, string folder)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return Load(mlContext, FeatureStoreReader.Open(folder));
    }

    /// <summary>The data view of an opened store.</summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="store">The store, as opened by <see cref="FeatureStoreReader.Open"/>.</param>
    public static IDataView Load(MLContext mlContext, FeatureStoreReader store)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(store);
        return new StoreDataView(store);
    }
}
