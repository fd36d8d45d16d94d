using System.Diagnostics;

namespace MoCo.Onnx.Tests.Support;

/// <summary>
/// Runs a Python snippet with Debian's /usr/bin/python3 (python3-torch 1.13, python3-onnx), the
/// independent reference for our tests. The `python3` first on PATH may be another interpreter without them.
/// </summary>
internal static class PythonReference
{
    internal const string Interpreter = "/usr/bin/python3";

    /// <summary>Runs <paramref name="script"/> in <paramref name="workDir"/>; fails the test with its stderr on a non-zero exit.</summary>
    internal static string Run(string script, string workDir)
    {
        var scriptPath = Path.Combine(workDir, $"ref_{Guid.NewGuid():N}.py");
        File.WriteAllText(scriptPath, script);
        var psi = new ProcessStartInfo(Interpreter, [scriptPath])
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["OMP_NUM_THREADS"] = "2";
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {Interpreter}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Assert.Fail($"{Interpreter} {scriptPath} exited with {process.ExitCode}:\n{stderr.Result}\n{stdout}");
        }

        return stdout;
    }

    /// <summary>Reads a raw little-endian float32 file written by numpy's tofile.</summary>
    internal static float[] ReadFloats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, values, 0, values.Length * sizeof(float));
        return values;
    }

    internal static float MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.That(a.Length, Is.EqualTo(b.Length), "lengths differ");
        var max = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }
}
