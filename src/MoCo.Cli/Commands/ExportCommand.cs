using System.CommandLine;
using MoCo.Training.Export;

namespace MoCo.Cli.Commands;

/// <summary>`moco export`: a checkpoint's query encoder to ONNX.</summary>
internal static class ExportCommand
{
    internal static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "training checkpoint (last.ckpt)", Required = true };
        var output = new Option<string>("--out") { Description = "ONNX file to write", DefaultValueFactory = _ => "encoder.onnx" };
        var withHead = new Option<bool>("--with-head") { Description = "include the projection head (default: backbone features)" };
        var uint8 = new Option<bool>("--uint8-input") { Description = "take raw uint8 NHWC pixels, normalise inside the graph" };
        var fold = new Option<bool>("--fold-bn") { Description = "fold BatchNorm into the convolutions" };
        var normalize = new Option<bool>("--normalize") { Description = "L2-normalise the features" };
        var size = new Option<int?>("--input-size") { Description = "input side (default: the training views')" };
        var command = new Command("export", "Export a checkpoint's query encoder to ONNX (opset 17) with preprocessing metadata.");
        foreach (Option o in new Option[] { checkpoint, output, withHead, uint8, fold, normalize, size }) command.Options.Add(o);
        command.SetAction(r =>
        {
            string path = r.GetValue(output)!;
            var summary = CheckpointExport.Export(r.GetValue(checkpoint)!, path, o => o with
            {
                WithHead = r.GetValue(withHead), Uint8Input = r.GetValue(uint8), FoldBatchNorm = r.GetValue(fold), Normalize = r.GetValue(normalize),
                InputSize = r.GetValue(size) ?? o.InputSize,
            });
            Console.WriteLine($"wrote {path} ({new FileInfo(path).Length / 1024.0 / 1024.0:F1} MB)");
            Console.WriteLine($"  input:  {summary.Input}");
            Console.WriteLine($"  output: {summary.Output}");
            foreach (var (k, v) in summary.Metadata.Where(kv => kv.Key != MoCo.Onnx.Metadata.EncoderMetadataKeys.Config)) Console.WriteLine($"  {k} = {v}");
            return 0;
        });
        return command;
    }
}
