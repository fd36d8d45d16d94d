using System.Collections.Concurrent;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Image;
using MoCo.Imaging;
using MoCo.MLNet.Input;
using MoCo.MLNet.Runtime;

namespace MoCo.MLNet.Persistence;

// The custom mappings of a saved MoCoFeatures step. ML.NET stores only their contract names and this assembly's
// name, and re-creates them at load; the settings arrive per row in the MoCo.Params column. They are public only
// because ML.NET instantiates them by reflection: not for direct use.

/// <summary>Output of the crop mappings: the centre crop's HWC bytes and 0 (or NaN for an unreadable image).</summary>
public sealed class SavedCropRow
{
    /// <summary>The crop (S·S·C bytes).</summary>
    [ColumnName(SavedColumns.Crop)]
    public byte[] Crop { get; set; } = [];

    /// <summary>0, or NaN when the image could not be read (added to the features).</summary>
    [ColumnName(SavedColumns.Invalid)]
    [VectorType(1)]
    public float[] Invalid { get; set; } = [0f];
}

/// <summary>Input of <see cref="SavedPathCropMapping"/>.</summary>
public sealed class SavedPathRow
{
    /// <summary>The image path.</summary>
    [ColumnName(SavedColumns.Image)]
    public string Image { get; set; } = "";

    /// <summary>The step's settings.</summary>
    [ColumnName(SavedColumns.Params)]
    public float[] Params { get; set; } = [];

    /// <summary>The image folder ("" for none).</summary>
    [ColumnName(SavedColumns.Folder)]
    public string[] Folder { get; set; } = [];
}

/// <summary>Input of <see cref="SavedBytesCropMapping"/>.</summary>
public sealed class SavedBytesRow
{
    /// <summary>The encoded image.</summary>
    [ColumnName(SavedColumns.Image)]
    public byte[] Image { get; set; } = [];

    /// <summary>The step's settings.</summary>
    [ColumnName(SavedColumns.Params)]
    public float[] Params { get; set; } = [];
}

/// <summary>Input of <see cref="SavedMLImageRgbMapping"/>.</summary>
public sealed class SavedMLImageRow
{
    /// <summary>The image (any size: LoadImages gives unsized image columns).</summary>
    [ColumnName(SavedColumns.Image)]
    [AnyImageType]
    public MLImage? Image { get; set; }
}

/// <summary>
/// Marks an <c>MLImage</c> member as an image column of any size (ImageAnalytics' own <c>[ImageType]</c> needs a
/// size, and <c>LoadImages</c> gives unsized columns).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class AnyImageTypeAttribute : DataViewTypeAttribute
{
    /// <inheritdoc />
    public override bool Equals(DataViewTypeAttribute other) => other is AnyImageTypeAttribute;

    /// <inheritdoc />
    public override int GetHashCode() => nameof(AnyImageTypeAttribute).GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc />
    public override void Register() => DataViewTypeManager.Register(new ImageDataViewType(), typeof(MLImage), this);
}

/// <summary>An MLImage copied out as RGB bytes and [height, width, 3].</summary>
public sealed class SavedRgbRow
{
    /// <summary>HWC RGB bytes.</summary>
    [ColumnName(SavedColumns.Rgb)]
    public byte[] Rgb { get; set; } = [];

    /// <summary>[height, width, channels]; [0, 0, 0] for a missing image.</summary>
    [ColumnName(SavedColumns.RgbShape)]
    [VectorType(3)]
    public int[] RgbShape { get; set; } = [0, 0, 0];
}

/// <summary>Input of <see cref="SavedRgbCropMapping"/>.</summary>
public sealed class SavedRgbCropRow
{
    /// <summary>HWC RGB bytes.</summary>
    [ColumnName(SavedColumns.Rgb)]
    public byte[] Rgb { get; set; } = [];

    /// <summary>[height, width, 3].</summary>
    [ColumnName(SavedColumns.RgbShape)]
    public int[] RgbShape { get; set; } = [];

    /// <summary>The step's settings.</summary>
    [ColumnName(SavedColumns.Params)]
    public float[] Params { get; set; } = [];
}

/// <summary>Saved-model mapping: image path → centre crop.</summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class SavedPathCropMapping : CustomMappingFactory<SavedPathRow, SavedCropRow>
{
    /// <summary>The contract name stored in model zips.</summary>
    public const string ContractName = "MoCo.MLNet.PathCrop.v1";

    /// <inheritdoc />
    public override Action<SavedPathRow, SavedCropRow> GetMapping() => (src, dst) =>
    {
        var folder = src.Folder.Length > 0 && src.Folder[0].Length > 0 ? src.Folder[0] : null;
        var item = new ImageItem();
        item.SetPath(src.Image);
        SavedCrops.Fill(src.Params, folder, item, dst);
    };
}

/// <summary>Saved-model mapping: encoded bytes → centre crop.</summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class SavedBytesCropMapping : CustomMappingFactory<SavedBytesRow, SavedCropRow>
{
    /// <summary>The contract name stored in model zips.</summary>
    public const string ContractName = "MoCo.MLNet.BytesCrop.v1";

    /// <inheritdoc />
    public override Action<SavedBytesRow, SavedCropRow> GetMapping() => (src, dst) =>
    {
        var item = new ImageItem();
        item.SetBytes(src.Image, $"({src.Image.Length} encoded bytes)");
        SavedCrops.Fill(src.Params, null, item, dst);
    };
}

/// <summary>Saved-model mapping: MLImage → RGB bytes (copied, since ML.NET frees the image on the next row).</summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class SavedMLImageRgbMapping : CustomMappingFactory<SavedMLImageRow, SavedRgbRow>
{
    /// <summary>The contract name stored in model zips.</summary>
    public const string ContractName = "MoCo.MLNet.MLImageRgb.v1";

    /// <inheritdoc />
    public override Action<SavedMLImageRow, SavedRgbRow> GetMapping() => (src, dst) =>
    {
        var image = src.Image;
        if (image is null || image.Width <= 0 || image.Height <= 0)
        {
            dst.Rgb = [];
            dst.RgbShape = [0, 0, 0];
            return;
        }

        using var rgb = PixelImport.FromRgba32(image.Pixels, image.Width, image.Height, image.PixelFormat == MLPixelFormat.Bgra32, premultiplied: true, channels: 3);
        dst.Rgb = rgb.Pixels.ToArray();
        dst.RgbShape = [rgb.Height, rgb.Width, 3];
    };
}

/// <summary>Saved-model mapping: RGB bytes → centre crop.</summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class SavedRgbCropMapping : CustomMappingFactory<SavedRgbCropRow, SavedCropRow>
{
    /// <summary>The contract name stored in model zips.</summary>
    public const string ContractName = "MoCo.MLNet.RgbCrop.v1";

    /// <inheritdoc />
    public override Action<SavedRgbCropRow, SavedCropRow> GetMapping() => (src, dst) =>
    {
        var item = new ImageItem();
        var shape = src.RgbShape;
        if (shape.Length != 3 || shape[0] <= 0 || shape[1] <= 0 || src.Rgb.Length != shape[0] * shape[1] * 3)
        {
            item.SetError(ImageColumnKind.MLImage, "(MLImage)", "the MLImage is missing or empty.");
        }
        else
        {
            var p = SavedParams.FromVector(src.Params);
            var rgb = new DecodedImage(shape[1], shape[0], 3);
            src.Rgb.CopyTo(rgb.Pixels);
            if (p.Channels == 1)
            {
                using (rgb)
                {
                    item.SetDecoded(PixelImport.ToGray(rgb), "(MLImage)");
                }
            }
            else
            {
                item.SetDecoded(rgb, "(MLImage)");
            }
        }

        using (item)
        {
            SavedCrops.Fill(src.Params, null, item, dst);
        }
    };
}

/// <summary>The shared body of the crop mappings.</summary>
internal static class SavedCrops
{
    private static readonly ConcurrentDictionary<(SavedParams, string?), ImagePreparer> Preparers = new();

    public static void Fill(float[] parameters, string? folder, ImageItem item, SavedCropRow dst)
    {
        var p = SavedParams.FromVector(parameters);
        var preparer = Preparers.GetOrAdd((p, folder), key => new ImagePreparer(key.Item1.Preprocessing, key.Item2, key.Item1.ScaledDecode));
        if (dst.Crop.Length != preparer.CropLength)
        {
            dst.Crop = new byte[preparer.CropLength];
        }

        var error = preparer.TryPrepare(item, dst.Crop);
        if (error is null)
        {
            dst.Invalid = [0f];
            return;
        }

        if (p.Policy == MoCoBadImagePolicy.Throw)
        {
            throw new InvalidDataException($"MoCoFeatures: cannot read the image {item.Source}: {error}");
        }

        Array.Clear(dst.Crop);
        dst.Invalid = [float.NaN];
    }
}
