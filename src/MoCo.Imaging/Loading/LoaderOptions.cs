namespace MoCo.Imaging.Loading;

/// <summary>How <see cref="ImageLoader"/> batches a dataset.</summary>
/// <param name="BatchSize">Samples per batch; default 256.</param>
/// <param name="Workers">Worker threads decoding and augmenting; default 0 = <see cref="Environment.ProcessorCount"/>.</param>
/// <param name="Prefetch">Batches prepared ahead of the consumer; default 2.</param>
/// <param name="DropLast">Drop the last, incomplete batch; default true (pretraining). Extraction should keep it.</param>
/// <param name="Shuffle">Seeded per-epoch shuffle; default true.</param>
/// <param name="Seed">Seed of the epoch order and of each sample's augmentation; default 0.</param>
/// <param name="SkipBadFiles">Skip undecodable files and report them in <see cref="ImageLoader.Skipped"/> (default true); false rethrows.</param>
/// <param name="ReplaceBadFiles">
/// With <paramref name="SkipBadFiles"/>: fill a bad file's slot with another image of the dataset, drawn from (seed, epoch,
/// slot's index), so batches stay full (MoCo's queue needs equal batches). The substitute gets the slot's augmentation
/// draws; files found bad are remembered and not decoded again. Default false: the batch is one image shorter, as
/// extraction wants.
/// </param>
/// <param name="ScaledJpegDecode">
/// Default true: decode a large JPEG at 1/2, 1/4 or 1/8 size (libjpeg-turbo's DCT scaling, several times faster) when
/// that still gives every pretraining crop at least the view's size per side
/// (<see cref="Transforms.RandomResizedCrop.MinSourceShorterSide"/>), or the extraction resize its shorter side.
/// Images smaller than that (e.g. 500x375 for 224 views) decode at full size either way. False: always full size,
/// as torchvision + PIL do, for bit-exact parity on large photos.
/// </param>
/// <param name="Decoder">Which library decodes the files (<see cref="ImageDecodeOptions.Decoder"/>); default <see cref="DecoderBackend.Auto"/>.</param>
public sealed record LoaderOptions(
    int BatchSize = 256,
    int Workers = 0,
    int Prefetch = 2,
    bool DropLast = true,
    bool Shuffle = true,
    int Seed = 0,
    bool SkipBadFiles = true,
    bool ReplaceBadFiles = false,
    bool ScaledJpegDecode = true,
    DecoderBackend Decoder = DecoderBackend.Auto);
