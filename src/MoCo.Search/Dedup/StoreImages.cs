using MoCo.Extraction.Reading;
using MoCo.Imaging;
using MoCo.Imaging.Datasets;
using MoCo.MLNet;

namespace MoCo.Search.Dedup;

/// <summary>
/// A store's own images and encoder, opened for dedup's work that featurises images again (<see cref="PlantedCopies"/>,
/// <see cref="CropViews"/>): the images through the store's data source, the features with the store's encoder and
/// preprocessing (the path <c>moco neighbors --image</c> takes), so new features compare with the stored ones.
/// </summary>
internal sealed class StoreImages : IDisposable
{
    private readonly IImageDataset _dataset;
    private readonly ImageDecodeOptions _decode;

    private StoreImages(IImageDataset dataset, MoCoFeaturizer featurizer)
    {
        _dataset = dataset;
        Featurizer = featurizer;
        _decode = new ImageDecodeOptions(Channels: featurizer.Preprocessing.Channels);
    }

    /// <summary>The store's encoder, reading images as the extraction did (a bad image gives NaN features).</summary>
    public MoCoFeaturizer Featurizer { get; }

    /// <summary>
    /// Opens the images and the encoder of <paramref name="store"/>, or returns null with <paramref name="why"/> when the
    /// source cannot be read, holds another number of images than was extracted, or the encoder cannot be opened.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="model">The store's encoder where it moved (null: the path the store records).</param>
    /// <param name="why">Why nothing was opened, or null.</param>
    public static StoreImages? Open(FeatureStoreReader store, string? model, out string? why)
    {
        ArgumentNullException.ThrowIfNull(store);
        IImageDataset dataset;
        try
        {
            dataset = DataSourceSpec.Parse(store.Source).Open(defaultTrain: true);
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidDataException or UnauthorizedAccessException)
        {
            why = $"the store's images ({store.Source}) cannot be read: {e.Message}";
            return null;
        }

        if (dataset.Count != store.SourceCount)
        {
            why = $"the store's source {store.Source} holds {dataset.Count} images now, not the {store.SourceCount} it was extracted from";
            return null;
        }

        try
        {
            var options = new MoCoFeaturesOptions { ModelPath = model ?? store.ModelPath, BadImages = MoCoBadImagePolicy.NaN };
            why = null;
            return new StoreImages(dataset, store.OpenFeaturizer(options));
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or InvalidDataException)
        {
            why = $"the store's encoder cannot be opened: {e.Message}";
            return null;
        }
    }

    /// <summary>The image of source item <paramref name="item"/> with the encoder's channels, or null when it cannot be
    /// read (gone, unreadable, not an image).</summary>
    public DecodedImage? TryLoad(int item)
    {
        try
        {
            return _dataset.Load(item, _decode);
        }
        catch (Exception e) when (e is ImageDecodeException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Releases the encoder's session.</summary>
    public void Dispose() => Featurizer.Dispose();
}
