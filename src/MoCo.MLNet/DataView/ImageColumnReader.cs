using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.Imaging;
using MoCo.MLNet.Input;

namespace MoCo.MLNet.DataView;

/// <summary>Reads the image column of the current row into an <see cref="ImageItem"/>, per column kind.</summary>
internal sealed class ImageColumnReader
{
    private readonly Action<ImageItem, long> _read;

    public ImageColumnReader(DataViewRow row, DataViewSchema.Column column, ImageColumnKind kind, int channels)
    {
        switch (kind)
        {
            case ImageColumnKind.Path:
            {
                var getter = row.GetGetter<ReadOnlyMemory<char>>(column);
                ReadOnlyMemory<char> text = default;
                _read = (item, position) =>
                {
                    getter(ref text);
                    var path = text.ToString();
                    if (path.Length == 0)
                    {
                        item.SetError(kind, $"(row {position})", "the image path is empty.");
                    }
                    else
                    {
                        item.SetPath(path);
                    }
                };
                break;
            }

            case ImageColumnKind.EncodedBytes:
            {
                var getter = row.GetGetter<VBuffer<byte>>(column);
                VBuffer<byte> bytes = default;
                VBuffer<byte> dense = default;
                _read = (item, position) =>
                {
                    getter(ref bytes);
                    bytes.CopyToDense(ref dense);
                    item.SetBytes(dense.GetValues(), $"(row {position}, {dense.Length} encoded bytes in column '{column.Name}')");
                };
                break;
            }

            case ImageColumnKind.MLImage:
            {
                var getter = row.GetGetter<MLImage>(column);
                MLImage? image = null;
                _read = (item, position) =>
                {
                    getter(ref image!);
                    var source = $"(row {position}, MLImage '{image?.Tag}')";
                    if (image is null || image.Width <= 0 || image.Height <= 0)
                    {
                        item.SetError(kind, source, "the MLImage is missing or empty.");
                        return;
                    }

                    // The LoadImages getter disposes this image on the next row: copy it out now.
                    var bgr = image.PixelFormat == MLPixelFormat.Bgra32;
                    item.SetDecoded(PixelImport.FromRgba32(image.Pixels, image.Width, image.Height, bgr, premultiplied: true, channels), source);
                };
                break;
            }

            case ImageColumnKind.Preprocessed:
            {
                var getter = row.GetGetter<VBuffer<float>>(column);
                VBuffer<float> values = default;
                VBuffer<float> dense = default;
                _read = (item, position) =>
                {
                    getter(ref values);
                    values.CopyToDense(ref dense);
                    item.SetValues(dense.GetValues(), $"(row {position})");
                };
                break;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>Reads the current row's image into <paramref name="item"/>.</summary>
    public void Read(ImageItem item, long position) => _read(item, position);
}
