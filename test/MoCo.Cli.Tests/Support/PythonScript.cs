using System.Diagnostics;

namespace MoCo.Cli.Tests.Support;

/// <summary>Runs a Python snippet with Debian's python3 (PIL, torch); the test fails with Python's stderr if it fails.</summary>
internal static class PythonScript
{
    /// <summary>Runs <c>python3 -c <paramref name="code"/> <paramref name="args"/></c> to the end.</summary>
    internal static void Run(string code, params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(code);
        foreach (string arg in args) psi.ArgumentList.Add(arg);
        using var python = Process.Start(psi)!;
        string error = python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.That(python.ExitCode, Is.Zero, error);
    }
}
