namespace MoCo.Imaging.Datasets;

/// <summary>Images stored as files, decoded on <see cref="Load"/>. Created by <see cref="ImageDatasets"/>.</summary>
internal sealed class FileListDataset(IReadOnlyList<string> paths, IReadOnlyList<int> labels, IReadOnlyList<string> classes) : IImageDataset
{
    public int Count => paths.Count;

    public IReadOnlyList<string> Classes => classes;

    public IReadOnlyList<string> Paths => paths;

    public int GetLabel(int index) => labels[index];

    public string Describe(int index) => paths[index];

    public DecodedImage Load(int index, ImageDecodeOptions options) => ImageDecoder.Decode(paths[index], options);
}
