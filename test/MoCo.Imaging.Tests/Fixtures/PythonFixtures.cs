using System.Diagnostics;
using System.Text;

namespace MoCo.Imaging.Tests.Fixtures;

/// <summary>
/// Runs a fixture script under Debian's /usr/bin/python3 (PIL, numpy, torchvision) once per test run
/// and returns the folder it wrote. Python is a test reference only.
/// </summary>
internal static class PythonFixtures
{
    internal const string Python = "/usr/bin/python3";

    private static readonly Dictionary<string, string> Made = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    internal static string Make(string script)
    {
        lock (Gate)
        {
            if (Made.TryGetValue(script, out var dir))
            {
                return dir;
            }

            dir = Path.Combine(Path.GetTempPath(), "moco-imaging-tests", Path.GetFileNameWithoutExtension(script) + "-" + Environment.ProcessId);
            Directory.CreateDirectory(dir);
            Run(Path.Combine(AppContext.BaseDirectory, "Fixtures", script), dir);
            Made[script] = dir;
            return dir;
        }
    }

    internal static void Run(string scriptPath, params string[] args)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(scriptPath);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + Python);
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{scriptPath} failed ({p.ExitCode}): {stderr}{stdout.Result}");
        }
    }

    /// <summary>Reads a NAME.ref file: "w h c\n" then HWC bytes.</summary>
    internal static (int Width, int Height, int Channels, byte[] Pixels) ReadRef(string path)
    {
        byte[] all = File.ReadAllBytes(path);
        int nl = Array.IndexOf(all, (byte)'\n');
        var parts = Encoding.ASCII.GetString(all, 0, nl).Split(' ');
        return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture),
                all[(nl + 1)..]);
    }
}
