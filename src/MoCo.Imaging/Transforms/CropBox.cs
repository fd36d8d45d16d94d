namespace MoCo.Imaging.Transforms;

/// <summary>A pixel rectangle of an image: rows [Top, Top+Height), columns [Left, Left+Width) (torchvision's i, j, h, w).</summary>
/// <param name="Top">First row.</param>
/// <param name="Left">First column.</param>
/// <param name="Height">Rows.</param>
/// <param name="Width">Columns.</param>
public readonly record struct CropBox(int Top, int Left, int Height, int Width);
