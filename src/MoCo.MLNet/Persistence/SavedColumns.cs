namespace MoCo.MLNet.Persistence;

/// <summary>Names of the working columns inside a saved MoCoFeatures step (dropped at its end).</summary>
internal static class SavedColumns
{
    public const string Image = "MoCo.Image";
    public const string Params = "MoCo.Params";
    public const string Folder = "MoCo.Folder";
    public const string Rgb = "MoCo.Rgb";
    public const string RgbShape = "MoCo.RgbShape";
    public const string Crop = "MoCo.Crop";
    public const string Invalid = "MoCo.Invalid";

    /// <summary>Length of the <see cref="Params"/> vector.</summary>
    public const int ParamsLength = 8;
}
