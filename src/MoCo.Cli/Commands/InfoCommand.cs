using System.CommandLine;
using MoCo.Onnx;
using MoCo.Onnx.Metadata;
using TorchSharp;
using MoCo.Training.Export;
using MoCo.Training.Import;
using MoCo.Training.Serialization;
using MoCo.Training.Trainer;

namespace MoCo.Cli.Commands;

/// <summary>`moco info FILE`: describes a checkpoint of ours (trained or imported), an ONNX model, or a foreign PyTorch
/// file without importing it (nothing in it is run).</summary>
internal static class InfoCommand
{
    internal static Command Create()
    {
        var file = new Argument<string>("file") { Description = "a checkpoint of ours (.ckpt), an ONNX model (.onnx), or a PyTorch file (.pth, .pth.tar, .pt, Lightning .ckpt, .safetensors)" };
        var command = new Command("info", "Describe a checkpoint, an ONNX model or a PyTorch file (read without running anything in it).");
        command.Arguments.Add(file);
        command.SetAction(r =>
        {
            string path = r.GetValue(file)!;
            if (!File.Exists(path)) throw new FileNotFoundException($"no such file: {path}", path);
            if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            {
                DescribeOnnx(path);
                return 0;
            }
            // Ours are safetensors files with moco.checkpoint_version; anything else is described as a foreign PyTorch file.
            PyTorchFile read = PyTorchCheckpointReader.Read(path);
            if (read.Metadata.ContainsKey(CheckpointVersionKey)) DescribeCheckpoint(path);
            else DescribeForeign(read);
            return 0;
        });
        return command;
    }

    private const string CheckpointVersionKey = "moco.checkpoint_version";

    /// <summary>A foreign PyTorch file: its container, keys and tensors, and what <c>moco import</c> would recognise in it.</summary>
    private static void DescribeForeign(PyTorchFile file)
    {
        ImportReport.File(Console.Out, file);
        try
        {
            ImportSummary summary = EncoderImporter.Recognise(file);
            ImportReport.Summary(Console.Out, summary);
            Console.WriteLine($"  importable: moco import {file.Path} --out imported.ckpt (preprocessing by default: {new ImportPreprocessing().Resolve(summary.Encoder).ToEncoderPreprocessing(summary.Encoder.InChannels).Describe()})");
        }
        catch (InvalidDataException e)
        {
            Console.WriteLine($"  not importable: {e.Message}");
        }
        Tensors(file.TensorEntries.Select(t => (t.Path, t.DType, t.Shape)).ToList());
    }

    private static void Tensors(IReadOnlyList<(string name, ScalarType dtype, IReadOnlyList<long> shape)> tensors)
    {
        foreach (var (name, dtype, shape) in tensors.Take(12)) Console.WriteLine($"  {name}: {dtype} [{string.Join(", ", shape)}]");
        if (tensors.Count > 12) Console.WriteLine($"  … {tensors.Count - 12} more");
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
        var config = Checkpoint.ReadConfig(contents);
        ImportProvenance? imported = ImportedCheckpoint.ReadProvenance(contents.Metadata);
        Console.WriteLine($"  MoCo {(imported is null ? "training" : "imported")} checkpoint (format {contents.Metadata[CheckpointVersionKey]}): preset {config.Preset}, {config.Arch} width {config.Width}, " +
                          $"{(config.StemPadding is { } pad ? $"{(config.SmallImages ? "small-image" : "ImageNet")} stem padded by {pad}, " : "")}{config.InChannels} channel(s), input {config.InputSize}, queue {config.QueueSize}, τ {config.Temperature}, m {config.Momentum}");
        if (imported is not null)
        {
            Console.WriteLine($"  imported from {imported.Source} ({imported.Format}, layout {imported.Layout}, sha256 {imported.Sha256}): head {imported.Head}, " +
                              $"key encoder {(imported.KeyEncoder ? "the file's" : "copied from the query encoder")}, " +
                              $"queue {(imported.QueueSize is { } k ? k.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none (training starts a fresh one)")}");
        }
        if (contents.Metadata.TryGetValue("moco.position", out string? position)) Console.WriteLine($"  position: {position}");
        var export = CheckpointExport.Options(contents, config, path).Preprocessing(config.InChannels, config.SmallImages);
        Console.WriteLine($"  preprocessing (moco export's default): {export.Describe()}");
        Console.WriteLine($"  query encoder parameters: {parameters:N0}{(CheckpointExport.HasHead(contents) ? "" : " (no projection head)")}");
        Tensors(contents.Names.Select(n => (n, contents.Tensors[n].dtype, (IReadOnlyList<long>)contents.Tensors[n].shape)).ToList());
    }
}
