namespace MoCo.Imaging.Datasets;

/// <summary>Some items of another dataset, in a given order, with its labels, class names and item names.</summary>
internal sealed class SubsetDataset(IImageDataset source, int[] indices) : IImageDataset
{
    public int Count => indices.Length;

    public IReadOnlyList<string> Classes => source.Classes;

    public int GetLabel(int index) => source.GetLabel(indices[index]);

    public string Describe(int index) => source.Describe(indices[index]);

    public DecodedImage Load(int index, ImageDecodeOptions options) => source.Load(indices[index], options);
}
