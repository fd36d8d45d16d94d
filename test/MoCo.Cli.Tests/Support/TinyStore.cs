using MoCo.Onnx;
using MoCo.Onnx.Metadata;
using MoCo.Onnx.Writer;

namespace MoCo.Cli.Tests.Support;

/// <summary>A feature store made by the real <c>moco extract</c>: <see cref="TinyIdxData"/>'s images through an encoder
/// that flattens the preprocessed 8×8 gray image (64 features, moco.* metadata like an exported encoder).</summary>
internal sealed class TinyStore : IDisposable
{
    public TinyStore(int count, int seed = 1)
    {
        Data = TinyIdxData.Create("moco-tinystore-", seed, count, side: 8);
        Model = Path.Combine(Data, "flatten.onnx");
        var g = new OnnxGraphBuilder("flatten");
        g.Output(g.Flatten(g.Input("image", OnnxElementType.Float, -1, 1, 8, 8)), "features", OnnxElementType.Float, -1, 64);
        g.Save(Model, new OnnxModelProperties
        {
            Metadata = new EncoderMetadata(new EncoderPreprocessing(8, 8, 1, [0.5f], [0.5f])) { Arch = "flatten", FeatureDimension = 64 }.ToDictionary(),
        });
        Folder = Path.Combine(Data, "store");
        var run = MocoRun.Captured("extract", "--model", Model, "--data", $"idx:{Data}", "--out", Folder, "--threads", "1", "--quiet");
        Assert.That(run.Code, Is.EqualTo(0), run.Out + run.Error);
    }

    /// <summary>The IDX folder (train and t10k splits hold the same images).</summary>
    public string Data { get; }

    /// <summary>The encoder.</summary>
    public string Model { get; }

    /// <summary>The store.</summary>
    public string Folder { get; }

    public void Dispose() => Directory.Delete(Data, recursive: true);
}
