using System.CommandLine;
using MoCo.Cli.Commands;
using TorchSharp;

namespace MoCo.Cli;

/// <summary>The `moco` command line: its subcommands and their dispatch.</summary>
internal static class MocoApp
{
    internal static RootCommand Build()
    {
        var root = new RootCommand("moco: MoCo self-supervised image pretraining for .NET");
        root.Subcommands.Add(PretrainCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(ExtractCommand.Create());
        root.Subcommands.Add(ProbeCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(SmokeCommand.Create());
        root.Subcommands.Add(AblateCommand.Create());
        root.Subcommands.Add(FinetuneCommand.Create());
        root.Subcommands.Add(IndexCommand.Create());
        root.Subcommands.Add(NeighborsCommand.Create());
        root.Subcommands.Add(DedupCommand.Create());
        root.Subcommands.Add(SelectCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        return root;
    }

    /// <summary>The exit code of a PyTorch file refused because loading it would run code (<c>moco import</c>, <c>moco info</c>).</summary>
    internal const int RefusedExitCode = 3;

    /// <summary>Runs the command line; returns the process exit code. Errors a user can fix (bad options, files, data)
    /// print one line, "error: …", and exit 1 (a libtorch that does not load, too; a PyTorch file refused as unsafe:
    /// <see cref="RefusedExitCode"/>); anything else keeps its stack trace.</summary>
    internal static int Run(string[] args)
    {
        try
        {
            // Before anything touches TorchSharp: a libtorch found at run time (docs/gpu.md).
            MoCo.Training.Native.LibTorchLocation.UseFromEnvironment();
            return Build().Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (MoCo.Training.Import.UnsafePickleException e)
        {
            // A file that would run code if Python loaded it: refused before anything in it was built or written.
            Console.Error.WriteLine($"error: {e.Message}");
            return RefusedExitCode;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or NotSupportedException
                                      or InvalidOperationException or System.Runtime.InteropServices.ExternalException or DllNotFoundException or MoCo.Onnx.OnnxRuntimeException or MoCo.Onnx.OnnxRuntimeNotFoundException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (TypeInitializationException e) when (e.TypeName == "TorchSharp.torch")
        {
            Console.Error.WriteLine($"error: {MoCo.Training.Native.LibTorchLocation.ExplainLoadFailure(e)}");
            return 1;
        }
    }
}
