namespace MoCo.MLNet.Persistence;

/// <summary>
/// The settings a saved step's image mapping needs, carried as a float vector (the output of a constant ONNX graph,
/// since ML.NET's custom mappings reload without state): [format, resize, crop, channels, bad-image policy, scaled decode,
/// 0, 0] (<see cref="SavedColumns.ParamsLength"/> slots). Only the geometry of the step's preprocessing travels here: its
/// mean and std are in the encoder graph (and its <c>moco.mlnet.*</c> keys, <see cref="Onnx.Metadata.PreprocessingKeys.FeaturesStep"/>).
/// Zips saved with format 1 (all so far) must keep loading: the layout of the vector does not change.
/// </summary>
internal readonly record struct SavedParams(int Resize, int Crop, int Channels, MoCoBadImagePolicy Policy, bool ScaledDecode)
{
    public const int Format = 1;

    public float[] ToVector()
    {
        var v = new float[SavedColumns.ParamsLength];
        v[0] = Format;
        v[1] = Resize;
        v[2] = Crop;
        v[3] = Channels;
        v[4] = (int)Policy;
        v[5] = ScaledDecode ? 1 : 0;
        return v;
    }

    public static SavedParams FromVector(ReadOnlySpan<float> v)
    {
        if (v.Length < 6 || v[0] != Format)
        {
            throw new InvalidDataException($"This MoCoFeatures model was saved in format {(v.Length > 0 ? v[0] : 0)}; this MoCo.MLNet reads format {Format}.");
        }

        return new SavedParams((int)v[1], (int)v[2], (int)v[3], (MoCoBadImagePolicy)(int)v[4], v[5] != 0);
    }

    public MoCoPreprocessing Preprocessing =>
        // Mean and std are applied inside the encoder graph; the mapping only needs the geometry and channels.
        new(Resize, Crop, Channels, Enumerable.Repeat(0f, Channels).ToArray(), Enumerable.Repeat(1f, Channels).ToArray());
}
