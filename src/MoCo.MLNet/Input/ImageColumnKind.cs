using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace MoCo.MLNet.Input;

/// <summary>How the image column is read, decided by its type.</summary>
internal enum ImageColumnKind
{
    /// <summary>Text: a path (relative to the image folder when one is set).</summary>
    Path,

    /// <summary><c>MLImage</c> from ImageAnalytics' <c>LoadImages</c>.</summary>
    MLImage,

    /// <summary><c>Vector&lt;Byte&gt;</c>: an encoded image file (<c>LoadRawImageBytes</c>).</summary>
    EncodedBytes,

    /// <summary>Known-size <c>Vector&lt;Single&gt;</c>: C·H·W values already preprocessed.</summary>
    Preprocessed,
}

/// <summary>Recognises the image column's kind from its ML.NET type.</summary>
internal static class ImageColumnKinds
{
    /// <summary>The kind for <paramref name="type"/>, or an <see cref="ArgumentException"/> saying which types are accepted.</summary>
    public static ImageColumnKind Of(DataViewType type, string column, int preprocessedLength)
    {
        switch (type)
        {
            case TextDataViewType:
                return ImageColumnKind.Path;
            case ImageDataViewType:
                return ImageColumnKind.MLImage;
            case VectorDataViewType { ItemType: NumberDataViewType n } when n.RawType == typeof(byte):
                return ImageColumnKind.EncodedBytes;
            case VectorDataViewType { ItemType: NumberDataViewType n } v when n.RawType == typeof(float):
                if (v.Size != preprocessedLength)
                {
                    throw new ArgumentException(
                        $"MoCoFeatures: column '{column}' is {type} but the encoder takes {preprocessedLength} preprocessed values per image (C·H·W); " +
                        "give a known-size float vector of that length, or the image itself (path, MLImage or encoded bytes).");
                }

                return ImageColumnKind.Preprocessed;
            default:
                throw new ArgumentException(
                    $"MoCoFeatures: column '{column}' has type {type}; expected text (an image path), MLImage (LoadImages), " +
                    "Vector<Byte> (LoadRawImageBytes) or a known-size Vector<Single> of preprocessed values.");
        }
    }
}
