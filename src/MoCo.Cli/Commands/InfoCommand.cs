using System.CommandLine;
using MoCo.Onnx;
using MoCo.Onnx.Metadata;
using TorchSharp;
using MoCo.Training.Export;
using MoCo.Training.Serialization;
using MoCo.Training.Trainer;

namespace MoCo.Cli.Commands;

/// <summary>`moco info FILE`: describes a training checkpoint or an ONNX model.</summary>
internal static class InfoCommand
{
    internal static Command Create()
    {
        var file = new Argument<string>("file") { Description = "a checkpoint (.ckpt / .safetensors) or an ONNX model (.onnx)" };
        var command = new Command("info", "Describe a checkpoint or an ONNX file.");
        command.Arguments.Add(file);
        command.SetAction(r =>
        {
            string path = r.GetValue(file)!;
            if (!File.Exists(path)) throw new FileNotFoundException($"no such file: {path}", path);
            if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) DescribeOnnx(path);
            else DescribeCheckpoint(path);
            return 0;
        });
        return command;
    }

    private static void DescribeOnnx(string path)
    {
        using var session = OnnxSession.Open(path);
        Console.WriteLine($"{path}: ONNX model (ONNX Runtime {OnnxSession.RuntimeVersion}), producer {session.Metadata.ProducerName}");
        foreach (var i in session.Inputs) Console.WriteLine($"  input  {i}");
        foreach (var o in session.Outputs) Console.WriteLine($"  output {o}");
        foreach (var (k, v) in session.Metadata.Custom.OrderBy(kv => kv.Key, StringComparer.Ordinal)) Console.WriteLine($"  {k} = {v}");
        Console.WriteLine($"  preprocessing: {Preprocessing(session.Metadata.Custom, path)}");
    }

    /// <summary>The model's preprocessing as <c>moco info</c> prints it; never throws (info describes broken files too).</summary>
    internal static string Preprocessing(IReadOnlyDictionary<string, string> metadata, string path)
    {
        try
        {
            return EncoderPreprocessing.FromMetadata(metadata, path) is { } p
                ? $"{p.Describe()}; input {(p.Layout == EncoderInputLayout.NhwcUInt8 ? "uint8 NHWC pixels, normalised inside the model" : "float NCHW, normalised by the caller")}"
                : "none recorded (no moco.* preprocessing keys: MoCoFeatures and moco probe need it given)";
        }
        catch (InvalidDataException e)
        {
            return $"unreadable: {e.Message}";
        }
    }

    private static void DescribeCheckpoint(string path)
    {
        using var contents = SafeTensors.Load(path);
        long parameters = contents.Tensors.Where(kv => kv.Key.StartsWith("encoder_q.", StringComparison.Ordinal) && !kv.Key.Contains("running_", StringComparison.Ordinal)
                                                       && !kv.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal)).Sum(kv => kv.Value.numel());
        Console.WriteLine($"{path}: safetensors, {contents.Tensors.Count} tensors, {new FileInfo(path).Length / 1024.0 / 1024.0:F1} MB");
        if (contents.Metadata.ContainsKey("moco.checkpoint_version"))
        {
            var config = Checkpoint.ReadConfig(contents);
            Console.WriteLine($"  MoCo training checkpoint (format {contents.Metadata["moco.checkpoint_version"]}): preset {config.Preset}, {config.Arch} width {config.Width}, " +
                              $"{config.InChannels} channel(s), input {config.InputSize}, queue {config.QueueSize}, τ {config.Temperature}, m {config.Momentum}");
            Console.WriteLine($"  position: {contents.Metadata["moco.position"]}");
            var export = new OnnxExportOptions { InputSize = config.InputSize, Mean = config.Mean, Std = config.Std }.Preprocessing(config.InChannels, config.SmallImages);
            Console.WriteLine($"  preprocessing (moco export's default): {export.Describe()}");
            Console.WriteLine($"  query encoder parameters: {parameters:N0}");
        }
        foreach (string name in contents.Names.Take(12))
        {
            Tensor t = contents.Tensors[name];
            Console.WriteLine($"  {name}: {t.dtype} [{string.Join(", ", t.shape)}]");
        }
        if (contents.Names.Count > 12) Console.WriteLine($"  … {contents.Names.Count - 12} more");
    }
}
