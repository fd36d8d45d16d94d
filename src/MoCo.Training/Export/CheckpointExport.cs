using System.Security.Cryptography;
using System.Text.Json;
using MoCo.Training.Serialization;
using MoCo.Training.Import;
using MoCo.Training.Models;
using MoCo.Training.Trainer;

namespace MoCo.Training.Export;

/// <summary>Exports the query encoder of a training checkpoint (last.ckpt) to ONNX.</summary>
public static class CheckpointExport
{
    private const string QueryPrefix = "encoder_q.";

    /// <summary>Loads encoder_q from <paramref name="checkpointPath"/> and writes it to <paramref name="onnxPath"/>. The
    /// preprocessing metadata (input size, resize, mean, std) and the config come from the checkpoint unless
    /// <paramref name="overrides"/> sets them; the checkpoint's SHA-256 is recorded.</summary>
    /// <exception cref="InvalidDataException">The checkpoint is not ours, or the head is asked of one imported without a head.</exception>
    public static OnnxExportSummary Export(string checkpointPath, string onnxPath, Func<OnnxExportOptions, OnnxExportOptions>? overrides = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpointPath);
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        using var contents = SafeTensors.Load(checkpointPath);
        PretrainConfig config = Checkpoint.ReadConfig(contents);
        OnnxExportOptions options = Options(contents, config, checkpointPath, overrides) with { CheckpointSha256 = Sha256(checkpointPath) };
        if (options.WithHead && !HasHead(contents))
            throw new InvalidDataException($"{checkpointPath} has no projection head (an encoder imported without one): export it without --with-head");
        using ResNet encoder = LoadQueryEncoder(contents, config);
        return OnnxExporter.Save(encoder, onnxPath, options);
    }

    /// <summary>The options <see cref="Export"/> uses: the config's input size, mean, std and preset, then
    /// <paramref name="overrides"/>; the resize a checkpoint records (an imported encoder's, <see cref="ImportedCheckpoint"/>)
    /// applies when the input size is the one it was recorded for, else the resize rule of <see cref="OnnxExportOptions.Resize"/>.</summary>
    internal static OnnxExportOptions Options(SafeTensors.Contents contents, PretrainConfig config, string checkpointPath, Func<OnnxExportOptions, OnnxExportOptions>? overrides = null)
    {
        var options = new OnnxExportOptions
        {
            InputSize = config.InputSize, Mean = config.Mean, Std = config.Std, Version = config.Preset, ConfigJson = JsonSerializer.Serialize(config),
        };
        if (overrides is not null) options = overrides(options);
        if (options.Resize is null && ImportedCheckpoint.ReadPreprocessing(contents.Metadata, checkpointPath) is { } recorded && recorded.CropSize == options.InputSize)
            options = options with { Resize = recorded.ResizeShorterSide };
        return options;
    }

    /// <summary>Whether the checkpoint's query encoder has its projection head (an encoder imported without one has not).</summary>
    public static bool HasHead(SafeTensors.Contents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        return contents.Tensors.Keys.Any(k => k.StartsWith(QueryPrefix + "fc.", StringComparison.Ordinal));
    }

    /// <summary>The query encoder (with its head) of a checkpoint, in eval mode, on the CPU.</summary>
    public static ResNet LoadQueryEncoder(SafeTensors.Contents contents, PretrainConfig config)
    {
        ArgumentNullException.ThrowIfNull(contents);
        ArgumentNullException.ThrowIfNull(config);
        var encoder = Method.ContrastiveModel.BuildEncoder(config.EncoderOptions with { ChannelsLast = false, NumClasses = config.Dim }, config.Mlp);
        var state = contents.Tensors.Where(kv => kv.Key.StartsWith(QueryPrefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[QueryPrefix.Length..], kv => kv.Value);
        if (state.Count == 0) throw new InvalidDataException("the checkpoint holds no encoder_q.* tensors");
        try
        {
            if (HasHead(contents))
            {
                encoder.load_state_dict(state);
            }
            else
            {
                // An encoder imported without a head: the backbone must be complete; the head stays as built, unused by
                // the backbone's features (Export refuses --with-head).
                var (missing, unexpected) = encoder.load_state_dict(state, strict: false);
                var gaps = missing.Where(k => !k.StartsWith("fc.", StringComparison.Ordinal)).Concat(unexpected).ToList();
                if (gaps.Count > 0) throw new InvalidDataException($"the checkpoint's encoder_q.* does not fit {config.Arch}: {string.Join(", ", gaps.Take(20))}");
            }
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
