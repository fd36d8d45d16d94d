using System.Security.Cryptography;
using System.Text.Json;
using MoCo.Training.Serialization;
using MoCo.Training.Models;
using MoCo.Training.Trainer;

namespace MoCo.Training.Export;

/// <summary>Exports the query encoder of a training checkpoint (last.ckpt) to ONNX.</summary>
public static class CheckpointExport
{
    /// <summary>Loads encoder_q from <paramref name="checkpointPath"/> and writes it to <paramref name="onnxPath"/>. The
    /// preprocessing metadata (input size, mean, std) and the config come from the checkpoint unless
    /// <paramref name="overrides"/> sets them; the checkpoint's SHA-256 is recorded.</summary>
    public static OnnxExportSummary Export(string checkpointPath, string onnxPath, Func<OnnxExportOptions, OnnxExportOptions>? overrides = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpointPath);
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        using var contents = SafeTensors.Load(checkpointPath);
        PretrainConfig config = Checkpoint.ReadConfig(contents);
        using ResNet encoder = LoadQueryEncoder(contents, config);
        var options = new OnnxExportOptions
        {
            InputSize = config.InputSize, Mean = config.Mean, Std = config.Std, Version = config.Preset,
            CheckpointSha256 = Sha256(checkpointPath), ConfigJson = JsonSerializer.Serialize(config),
        };
        return OnnxExporter.Save(encoder, onnxPath, overrides is null ? options : overrides(options));
    }

    /// <summary>The query encoder (with its head) of a checkpoint, in eval mode, on the CPU.</summary>
    public static ResNet LoadQueryEncoder(SafeTensors.Contents contents, PretrainConfig config)
    {
        ArgumentNullException.ThrowIfNull(contents);
        ArgumentNullException.ThrowIfNull(config);
        var encoder = Method.ContrastiveModel.BuildEncoder(config.EncoderOptions with { ChannelsLast = false, NumClasses = config.Dim }, config.Mlp);
        const string Prefix = "encoder_q.";
        var state = contents.Tensors.Where(kv => kv.Key.StartsWith(Prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[Prefix.Length..], kv => kv.Value);
        if (state.Count == 0) throw new InvalidDataException("the checkpoint holds no encoder_q.* tensors");
        try
        {
            encoder.load_state_dict(state);
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
        encoder.eval();
        return encoder;
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
