using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.MLNet.Runtime;

namespace MoCo.MLNet;

/// <summary>
/// Saved models with MoCoFeatures steps. <c>mlContext.Model.Save</c> writes a MoCoFeatures step as ML.NET's own
/// transformers (an ONNX settings graph, custom mappings from this assembly for decoding, and the encoder graph), so
/// <c>mlContext.Model.Load</c> reads it back with only ML.NET and this assembly, and a <c>PredictionEngine</c> gives the
/// same features. Those run one row at a time; <see cref="RestoreBatching"/> puts the batched runtime back for bulk work.
/// </summary>
/// <example>
/// <code>
/// var loaded = mlContext.Model.Load("model.zip", out var schema);
/// var fast = MoCoModel.RestoreBatching(loaded, schema);          // same predictions, batched featurisation
/// var scored = fast.Transform(mlContext.Data.LoadFromTextFile&lt;ImageRow&gt;("test.tsv"));
/// </code>
/// </example>
public static class MoCoModel
{
    /// <summary>
    /// Returns <paramref name="loaded"/> with every saved MoCoFeatures step replaced by a batched
    /// <see cref="MoCoFeaturesTransformer"/> running the same graph; other transformers are kept as they are.
    /// </summary>
    /// <param name="loaded">A model from <c>mlContext.Model.Load</c>.</param>
    /// <param name="inputSchema">The input schema <c>Load</c> returned.</param>
    /// <param name="runtimeOptions">Batch size, threads and GPU for the restored steps; default <see cref="MoCoFeaturesOptions"/>'s defaults.</param>
    /// <returns>A transformer chain (or <paramref name="loaded"/> itself when it holds no MoCoFeatures step).</returns>
    public static ITransformer RestoreBatching(ITransformer loaded, DataViewSchema inputSchema, MoCoFeaturesOptions? runtimeOptions = null)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        ArgumentNullException.ThrowIfNull(inputSchema);
        return Restore(loaded, inputSchema, runtimeOptions ?? new MoCoFeaturesOptions(), out _);
    }

    private static ITransformer Restore(ITransformer transformer, DataViewSchema schema, MoCoFeaturesOptions options, out bool changed)
    {
        changed = false;
        if (transformer is not TransformerChain<ITransformer> chain)
        {
            return transformer;
        }

        if (FindStep(chain) is { } step)
        {
            changed = true;
            return new MoCoFeaturesTransformer(step, WithSettings(options, step), schema);
        }

        var parts = new List<ITransformer>();
        foreach (var part in chain)
        {
            var restored = Restore(part, schema, options, out var partChanged);
            changed |= partChanged;
            parts.Add(restored);
            schema = part.GetOutputSchema(schema);
        }

        return changed ? new TransformerChain<ITransformer>(parts.ToArray()) : chain;
    }

    /// <summary>The step a chain is the saved form of: it starts by copying into MoCo.Image and holds our encoder graph.</summary>
    private static FittedStep? FindStep(TransformerChain<ITransformer> chain)
    {
        if (!chain.Any() || chain.Any(t => t is TransformerChain<ITransformer>))
        {
            return null;
        }

        // ML.NET keeps the ONNX transformer's model bytes internal: save the chain alone and read them from the zip.
        using var zip = new MemoryStream();
        new MLContext().Model.Save(chain, null, zip);
        zip.Position = 0;
        using var archive = new ZipArchive(zip, ZipArchiveMode.Read);
        foreach (var entry in archive.Entries.Where(e => e.Name == "OnnxModel"))
        {
            using var reader = new BinaryReader(entry.Open());
            var length = reader.ReadInt32();
            var bytes = reader.ReadBytes(length);
            try
            {
                var file = Onnx.Editing.OnnxModelFile.Parse(bytes, entry.FullName);
                if (file.Metadata.ContainsKey(EncoderGraphs.MarkerKey))
                {
                    return FittedStep.FromGraph(bytes, $"the MoCoFeatures graph in {entry.FullName}");
                }
            }
            catch (InvalidDataException)
            {
                // Not an ONNX model we can read: not ours.
            }
        }

        return null;
    }

    private static MoCoFeaturesOptions WithSettings(MoCoFeaturesOptions o, FittedStep step) => new()
    {
        OutputColumnName = step.Settings.OutputColumn,
        InputColumnName = step.Settings.InputColumn,
        ImageFolder = step.Settings.ImageFolder,
        BadImages = step.Settings.BadImages,
        ScaledJpegDecode = step.Settings.ScaledJpegDecode,
        Preprocessing = step.Preprocessing,
        BatchSize = o.BatchSize,
        DecodeThreads = o.DecodeThreads,
        IntraOpThreads = o.IntraOpThreads,
        GpuDeviceId = o.GpuDeviceId,
        FallbackToCpu = o.FallbackToCpu,
    };
}
