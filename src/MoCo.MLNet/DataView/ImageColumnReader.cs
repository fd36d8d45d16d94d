using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.Imaging;
using MoCo.MLNet.Input;

namespace MoCo.MLNet.DataView;

/// <summary>Reads the image column of the current row as a <see cref="MoCoImageInput"/>, per column kind.</summary>
internal sealed class ImageColumnReader
{
    private readonly Func<long, MoCoImageInput> _read;

    public ImageColumnReader(DataViewRow row, DataViewSchema.Column column, ImageColumnKind kind, int channels)
    {
        switch (kind)
        {
            case ImageColumnKind.Path:
            {
                var getter = row.GetGetter<ReadOnlyMemory<char>>(column);
                ReadOnlyMemory<char> text = default;
                _read = position =>
                {
                    getter(ref text);
                    var path = text.ToString();
                    return path.Length == 0 ? MoCoImageInput.Failed($"(row {position})", "the image path is empty.") : MoCoImageInput.FromFile(path);
                };
                break;
            }

            case ImageColumnKind.EncodedBytes:
            {
                var bytes = VectorReader<byte>(row, column);
                _read = position =>
                {
                    var encoded = bytes();
                    return MoCoImageInput.FromEncoded(encoded, $"(row {position}, {encoded.Length} encoded bytes in column '{column.Name}')");
                };
                break;
            }

            case ImageColumnKind.MLImage:
            {
                var getter = row.GetGetter<MLImage>(column);
                MLImage? image = null;
                _read = position =>
                {
                    getter(ref image!);
                    var source = $"(row {position}, MLImage '{image?.Tag}')";
                    if (image is null || image.Width <= 0 || image.Height <= 0)
                    {
                        return MoCoImageInput.Failed(source, "the MLImage is missing or empty.");
                    }

                    // The LoadImages getter disposes this image on the next row: copy it out now (the featurizer owns the copy).
                    var bgr = image.PixelFormat == MLPixelFormat.Bgra32;
                    return MoCoImageInput.FromDecoded(PixelImport.FromRgba32(image.Pixels, image.Width, image.Height, bgr, premultiplied: true, channels), source);
                };
                break;
            }

            case ImageColumnKind.Preprocessed:
            {
                var values = VectorReader<float>(row, column);
                _read = position => MoCoImageInput.FromValues(values(), $"(row {position})");
                break;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>The current row's vector, copied into one array that grows as needed: the featurizer copies the values
    /// before it asks for the next row, so one buffer serves every row.</summary>
    private static Func<ReadOnlyMemory<T>> VectorReader<T>(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<VBuffer<T>>(column);
        VBuffer<T> vector = default;
        var buffer = Array.Empty<T>();
        return () =>
        {
            getter(ref vector);
            var length = vector.Length;
            if (buffer.Length < length)
            {
                buffer = new T[Math.Max(length, 2 * buffer.Length)];
            }

            vector.CopyTo(buffer);
            return buffer.AsMemory(0, length);
        };
    }

    /// <summary>
    /// The image column of every row of a new cursor over <paramref name="input"/>, in order; each row's id is queued
    /// in <paramref name="ids"/> as it is read, so the consumer can check it pairs features with the right rows.
    /// </summary>
    public static IEnumerable<MoCoImageInput> Rows(IDataView input, DataViewSchema.Column imageColumn, ImageColumnKind kind, int channels, ConcurrentQueue<DataViewRowId> ids)
    {
        using var cursor = input.GetRowCursor([imageColumn]);
        var reader = new ImageColumnReader(cursor, cursor.Schema[imageColumn.Index], kind, channels);
        var id = cursor.GetIdGetter();
        DataViewRowId rowId = default;
        while (cursor.MoveNext())
        {
            id(ref rowId);
            ids.Enqueue(rowId);
            yield return reader.Read(cursor.Position);
        }
    }

    /// <summary>Reads the current row's image.</summary>
    public MoCoImageInput Read(long position) => _read(position);
}
