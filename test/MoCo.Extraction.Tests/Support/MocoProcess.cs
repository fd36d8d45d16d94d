using System.Diagnostics;

namespace MoCo.Extraction.Tests.Support;

/// <summary>Runs the built <c>moco</c> command (src/MoCo.Cli) as a child process.</summary>
internal static class MocoProcess
{
    public static string Program()
    {
        // Built beside the tests: src/MoCo.Cli/bin/<Configuration>/net10.0/moco.dll.
        var testBin = AppContext.BaseDirectory.TrimEnd('/');
        var configuration = Path.GetFileName(Path.GetDirectoryName(testBin)!);
        var path = Path.GetFullPath(Path.Combine(testBin, "../../../../../src/MoCo.Cli/bin", configuration, "net10.0/moco.dll"));
        Assert.That(File.Exists(path), Is.True, $"moco not built at {path}");
        return path;
    }

    public static Process Start(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[name] = value;
        }

        info.ArgumentList.Add(Program());
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }

    /// <summary>Runs to the end; returns the exit code and the output.</summary>
    public static (int ExitCode, string Output) Run(IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        using var process = Start(args, environment);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"moco {string.Join(' ', args)} did not finish in {timeout}");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
