namespace MoCo.MLNet.Runtime;

/// <summary>Where <see cref="ReadAheadPipeline"/> decodes a batch.</summary>
internal enum DecodePlacementMode
{
    /// <summary>Chosen per batch from the measured decode and ORT times (<see cref="DecodePlacement"/>).</summary>
    Auto,

    /// <summary>Always on the prepare thread, overlapping ORT on the batch before.</summary>
    Overlap,

    /// <summary>Always on the infer thread, just before ORT runs on the same batch.</summary>
    Inline,
}

/// <summary>
/// Decides, batch by batch, whether the read-ahead decodes the next batch while ORT runs (overlap) or the infer thread
/// decodes each batch itself just before running ORT on it (inline). Overlap pays when decoding is a large share of the
/// work (photos of many megapixels); when a batch decodes in a small fraction of ORT's time (28-px PNGs: ~1/20),
/// decoding beside ORT only makes the decode threads and ORT's threads contend for the same cores and adds a
/// hand-over, and inline is faster (bench/MoCo.MLNet.Bench: "core" against "feat"). The rule keeps a moving average of
/// the decode and ORT seconds per image and goes inline when decoding costs less than <see cref="InlineBelow"/> of ORT,
/// back to overlap above <see cref="OverlapAbove"/> (the gap keeps it from flapping). It starts in overlap, where the
/// first batch's decode is measured alone. Thread-safe: the prepare thread reads the choice while the infer thread records.
/// </summary>
internal sealed class DecodePlacement
{
    /// <summary>Decode/ORT time ratio below which decoding moves to the infer thread.</summary>
    public const double InlineBelow = 0.2;

    /// <summary>Decode/ORT time ratio above which decoding moves back to the prepare thread.</summary>
    public const double OverlapAbove = 0.4;

    // Weight of the newest batch in the moving averages.
    private const double Smoothing = 0.3;
    private readonly object _gate = new();
    private readonly DecodePlacementMode _mode;
    private double _decodePerImage = double.NaN;
    private double _inferPerImage = double.NaN;
    private volatile bool _inline;

    /// <summary>A placement that follows <paramref name="mode"/> (Auto: measured; the others fixed).</summary>
    public DecodePlacement(DecodePlacementMode mode)
    {
        _mode = mode;
        _inline = mode == DecodePlacementMode.Inline;
    }

    /// <summary>Whether the next batch is to be decoded on the infer thread.</summary>
    public bool DecodeInline => _inline;

    /// <summary>The current decode/ORT ratio of the moving averages (NaN until both have been measured).</summary>
    public double Ratio
    {
        get
        {
            lock (_gate)
            {
                return _decodePerImage / _inferPerImage;
            }
        }
    }

    /// <summary>Records how long decoding <paramref name="images"/> took (wall seconds).</summary>
    public void RecordDecode(double seconds, int images) => Record(ref _decodePerImage, seconds, images);

    /// <summary>Records how long ORT took on <paramref name="images"/> (wall seconds).</summary>
    public void RecordInfer(double seconds, int images) => Record(ref _inferPerImage, seconds, images);

    private void Record(ref double average, double seconds, int images)
    {
        if (images <= 0 || !(seconds >= 0))
        {
            return;
        }

        lock (_gate)
        {
            var perImage = seconds / images;
            average = double.IsNaN(average) ? perImage : average + Smoothing * (perImage - average);
            if (_mode != DecodePlacementMode.Auto || double.IsNaN(_decodePerImage) || double.IsNaN(_inferPerImage) || _inferPerImage <= 0)
            {
                return;
            }

            var ratio = _decodePerImage / _inferPerImage;
            if (_inline && ratio > OverlapAbove)
            {
                _inline = false;
            }
            else if (!_inline && ratio < InlineBelow)
            {
                _inline = true;
            }
        }
    }
}
