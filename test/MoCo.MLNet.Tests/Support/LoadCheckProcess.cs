using System.Diagnostics;

namespace MoCo.MLNet.Tests.Support;

/// <summary>Runs test/MoCo.MLNet.LoadCheck (a program with ML.NET and MoCo.MLNet only) on a saved model.</summary>
internal static class LoadCheckProcess
{
    private static string Program()
    {
        // Built next to the tests' own output: test/MoCo.MLNet.LoadCheck/bin/<Configuration>/net10.0/.
        var testBin = AppContext.BaseDirectory.TrimEnd('/');
        var configuration = Path.GetFileName(Path.GetDirectoryName(testBin)!);
        var path = Path.GetFullPath(Path.Combine(testBin, "../../../../MoCo.MLNet.LoadCheck/bin", configuration, "net10.0/MoCo.MLNet.LoadCheck.dll"));
        Assert.That(File.Exists(path), Is.True, $"LoadCheck not built at {path}");
        return path;
    }

    /// <summary>Features (and labels with <paramref name="labels"/>) that a new process computes from the zip.</summary>
    public static (float[][] Features, string[] Labels) Run(string zip, IReadOnlyList<string> paths, int dimension, string workDir, bool batched = false, bool labels = false, string column = "Features", bool bytes = false)
    {
        var list = Path.Combine(workDir, $"paths-{Guid.NewGuid():N}.txt");
        var output = Path.ChangeExtension(list, ".bin");
        File.WriteAllLines(list, paths);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Program(), zip, list, output })
        {
            info.ArgumentList.Add(arg);
        }

        info.ArgumentList.Add("--column");
        info.ArgumentList.Add(column);
        if (batched)
        {
            info.ArgumentList.Add("--batched");
        }

        if (labels)
        {
            info.ArgumentList.Add("--label");
        }

        if (bytes)
        {
            info.ArgumentList.Add("--bytes");
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.That(process.WaitForExit(TimeSpan.FromMinutes(3)), Is.True, "LoadCheck did not finish in 3 minutes");
        Assert.That(process.ExitCode, Is.EqualTo(0), $"LoadCheck failed:\n{stdout.Result}\n{stderr.Result}");
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(output)).ToArray();
        Assert.That(values, Has.Length.EqualTo(paths.Count * dimension));
        var rows = Enumerable.Range(0, paths.Count).Select(i => values.AsSpan(i * dimension, dimension).ToArray()).ToArray();
        return (rows, labels ? File.ReadAllLines(output + ".labels") : []);
    }
}
