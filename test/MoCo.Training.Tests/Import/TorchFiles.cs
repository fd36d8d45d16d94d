using MoCo.Training.Tests.Reference;

namespace MoCo.Training.Tests.Import;

/// <summary>Writes PyTorch files with Debian's torch 1.13 (Reference/torch_checkpoints.py) into a folder (MoCo.Cli.Tests
/// compiles this file in too), and compares what the import produced with the tensors PyTorch wrote beside them
/// (TorchFiles.State.cs).</summary>
internal static partial class TorchFiles
{
    /// <summary>Runs <paramref name="body"/> (unindented Python) with the folder as the working directory; <c>torch</c>,
    /// <c>tc</c> (torch_checkpoints), <c>st_save</c>, <c>os</c>, <c>collections</c> imported, seed 0.</summary>
    internal static void Write(string dir, string body)
    {
        string helper = Path.Combine(AppContext.BaseDirectory, "Reference");
        PyTorch.RunScript($"""
            import sys, os, collections
            sys.path.insert(0, {Quote(helper)})
            import torch
            import torch_checkpoints as tc
            from safetensors_io import st_save
            torch.manual_seed(0)
            os.chdir({Quote(dir)})

            """ + body);
    }

    internal static string Quote(string s) => "'" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
