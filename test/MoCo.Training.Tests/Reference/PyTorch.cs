using System.Diagnostics;
using MoCo.Training.Serialization;

namespace MoCo.Training.Tests.Reference;

/// <summary>
/// Runs a snippet in Debian's Python with torch 1.13 on the same inputs: the inputs go in as a safetensors file
/// (read by Reference/safetensors_io.py, our own reader), the snippet fills the dict <c>out</c>, which comes back.
/// In the snippet, <c>inp</c> holds the inputs by name and <c>torch</c>, <c>F</c> (functional) and <c>np</c> are imported.
/// </summary>
internal static class PyTorch
{
    internal const string Python = "/usr/bin/python3";

    internal static SafeTensors.Contents Run(string snippet, IEnumerable<KeyValuePair<string, Tensor>> inputs)
    {
        string dir = Directory.CreateTempSubdirectory("moco-ref-").FullName;
        try
        {
            string inPath = Path.Combine(dir, "in.safetensors"), outPath = Path.Combine(dir, "out.safetensors");
            SafeTensors.Save(inPath, inputs);
            string helper = Path.Combine(AppContext.BaseDirectory, "Reference");
            string script = $$"""
                import sys
                sys.path.insert(0, {{Quote(helper)}})
                import numpy as np
                import torch
                import torch.nn.functional as F
                from safetensors_io import st_load, st_save
                torch.set_default_dtype(torch.float32)
                inp = st_load({{Quote(inPath)}})
                out = {}
                {{snippet}}
                st_save({{Quote(outPath)}}, out)
                """;
            RunScript(script);
            return SafeTensors.Load(outPath);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    internal static string RunScript(string script)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + Python);
        process.StandardInput.Write(script);
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the PyTorch reference script ran over 3 minutes");
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"the PyTorch reference failed ({process.ExitCode}):\n{stderr.Result}\n--- script ---\n{script}");
        return stdout.Result;
    }

    private static string Quote(string s) => "'" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
