using MoCo.Imaging;
using MoCo.Imaging.Encoders;
using MoCo.Imaging.Transforms;

namespace MoCo.Cli.Report;

/// <summary>Row images as small PNGs inside the page (data URIs): a centre square, shrunk to at most
/// <see cref="Size"/> pixels (Pillow's bilinear filter); small images (IDX) stay at their own size and the page
/// enlarges them without smoothing.</summary>
internal sealed class Thumbnails(ReportData data)
{
    /// <summary>The largest side of a thumbnail, in pixels.</summary>
    public const int Size = 96;

    private readonly Dictionary<int, string?> _cache = [];

    /// <summary>Row <paramref name="row"/>'s image as <c>data:image/png;base64,…</c>, or null when there is no
    /// source to read it from or it no longer decodes (the page then shows its path only).</summary>
    public string? DataUri(int row)
    {
        if (_cache.TryGetValue(row, out var uri)) return uri;
        return _cache[row] = Load(row);
    }

    private string? Load(int row)
    {
        if (data.Images is not { } images) return null;
        var item = data.Items[row];
        if ((uint)item >= (uint)images.Count) return null;
        try
        {
            using var image = images.Load(item, new ImageDecodeOptions(Channels: 0, MinShorterSide: Size));
            var side = Math.Min(image.Width, image.Height);
            var box = ImageOps.CenterCropBox(image.Width, image.Height, side);
            var size = Math.Min(side, Size);
            using var square = ImageOps.ResizedCrop(image, box, size, size);
            return "data:image/png;base64," + Convert.ToBase64String(PngEncoder.Encode(square));
        }
        catch (Exception e) when (e is ImageDecodeException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
