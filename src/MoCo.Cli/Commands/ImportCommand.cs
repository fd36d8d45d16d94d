using System.CommandLine;
using System.Globalization;
using MoCo.Cli.Options;
using MoCo.Training.Import;
using MoCo.Training.Models;

namespace MoCo.Cli.Commands;

/// <summary>
/// `moco import FILE --out CKPT`: a PyTorch checkpoint (official MoCo v1/v2/v3, torchvision, lightly, solo-learn; zip,
/// legacy or safetensors), read without running anything in it, written as our training checkpoint with the encoder's
/// preprocessing, for <c>moco export</c> and everything downstream. Nothing is written on any error; a file that would
/// run code is refused with the global named (exit code 3).
/// </summary>
internal static class ImportCommand
{
    internal sealed class Options
    {
        internal readonly Argument<string> File = new("file") { Description = "PyTorch checkpoint: .pth, .pth.tar, .pt, Lightning .ckpt, .safetensors" };
        internal readonly Option<string> Out = new("--out") { Description = "our checkpoint to write (safetensors, official MoCo names)", Required = true };
        internal readonly Option<string?> Arch = new("--arch") { Description = "resnet18, resnet34 or resnet50 (default: from the tensors' shapes)" };
        internal readonly Option<string> Layout = new("--layout") { Description = "auto (recognised from the keys), moco, moco-v3, torchvision, lightly or solo-learn", DefaultValueFactory = _ => "auto" };
        // Width, input channels and stem kind are conv1.weight's shape, which every importable file has, so they get no
        // flag; the stem's padding is the one part of the network no shape tells.
        internal readonly Option<int?> StemPadding = new("--stem-padding")
        {
            Description = "zero padding of the stem's conv1, which no tensor shape tells (default: the layout's: 2 for solo-learn's 3×3 CIFAR stem, else 1 for a 3×3 stem, 3 for the 7×7 one)",
        };
        internal readonly PreprocessingOptions Preprocessing = new();

        internal IEnumerable<Option> All => [Out, Arch, Layout, StemPadding, .. Preprocessing.All];
    }

    internal static Command Create()
    {
        var o = new Options();
        Command command = CommandOptions.Build("import",
            "Import a pretrained encoder from a PyTorch checkpoint (read without running anything) as our checkpoint.", o.All, r => Run(r, o));
        command.Arguments.Add(o.File);
        return command;
    }

    private static int Run(ParseResult r, Options o)
    {
        string path = r.GetValue(o.File)!, output = r.GetValue(o.Out)!;
        var options = new ImportOptions
        {
            Layout = CheckpointLayoutNames.Parse(r.GetValue(o.Layout)!),
            Arch = r.GetValue(o.Arch) is { } arch ? ResNetOptions.ParseArch(arch) : null,
            StemPadding = r.GetValue(o.StemPadding),
        };
        PyTorchFile file = PyTorchCheckpointReader.Read(path);
        ImportPreprocessing given = o.Preprocessing.Get(r, ImportedCheckpoint.RecordedPreprocessing(file));
        using ImportResult import = EncoderImporter.Import(file, options);
        ImportReport.File(Console.Out, file);
        ImportReport.Summary(Console.Out, import);
        var config = ImportedCheckpoint.Write(output, import, given, path, file.Format);
        var preprocessing = given.Resolve(import.Encoder).ToEncoderPreprocessing(config.InChannels);
        Console.WriteLine($"  preprocessing: {preprocessing.Describe()}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {output} ({new FileInfo(output).Length / 1024.0 / 1024.0:F1} MB): encoder_q.*{(import.Head == ImportedHead.None ? " (no head)" : " with its head")}, " +
            $"encoder_k.*{(import.HasKeyEncoder ? "" : " (the query's)")}{(import.HasQueue ? ", queue" : "")}; next: moco export --checkpoint {output} --out encoder.onnx"));
        return 0;
    }
}
