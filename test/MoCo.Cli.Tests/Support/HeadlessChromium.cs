using System.Diagnostics;
using MoCo.Imaging;

namespace MoCo.Cli.Tests.Support;

/// <summary>
/// Debian's Chromium, headless: renders a local page to a PNG and reports what the page printed to its console
/// (with <c>--enable-logging=stderr --v=0</c> every console message, uncaught exceptions included, reaches stderr as
/// an <c>INFO:CONSOLE</c> line). build/setup.sh installs it (build/apt-packages.txt).
/// </summary>
internal static class HeadlessChromium
{
    private const string Executable = "/usr/bin/chromium";

    /// <summary>What a render gave: the screenshot's pixels (RGB) and the console lines.</summary>
    internal sealed record Render(int Width, int Height, byte[] Rgb, IReadOnlyList<string> ConsoleLines)
    {
        /// <summary>The variance of all the screenshot's channel values (0 for a page of one colour).</summary>
        public double PixelVariance
        {
            get
            {
                var mean = Rgb.Average(b => (double)b);
                return Rgb.Average(b => (b - mean) * (b - mean));
            }
        }

        /// <summary>How many pixels lie within <paramref name="tolerance"/> per channel of the colour #rrggbb.</summary>
        public int PixelsNear(string hex, int tolerance = 12)
        {
            var (r, g, b) = (Convert.ToInt32(hex[1..3], 16), Convert.ToInt32(hex[3..5], 16), Convert.ToInt32(hex[5..7], 16));
            var count = 0;
            for (var i = 0; i < Rgb.Length; i += 3)
            {
                if (Math.Abs(Rgb[i] - r) <= tolerance && Math.Abs(Rgb[i + 1] - g) <= tolerance && Math.Abs(Rgb[i + 2] - b) <= tolerance) count++;
            }

            return count;
        }
    }

    /// <summary>Skips the calling test, saying why, where Chromium is not installed.</summary>
    internal static void RequireInstalled()
    {
        if (!File.Exists(Executable)) Assert.Ignore($"{Executable} is not installed (build/setup.sh installs Debian's chromium package); the report's content tests run without it.");
    }

    /// <summary>Renders <paramref name="page"/> at <paramref name="width"/> × <paramref name="height"/>.</summary>
    internal static Render Screenshot(string page, int width, int height)
    {
        var png = Path.Combine(Path.GetDirectoryName(page)!, Path.GetFileNameWithoutExtension(page) + ".screenshot.png");
        var profile = Path.Combine(Path.GetDirectoryName(page)!, "chromium-profile");
        var info = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--enable-logging=stderr", "--v=0",
                     $"--user-data-dir={profile}", $"--screenshot={png}", $"--window-size={width},{height}", new Uri(page).AbsoluteUri,
                 })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"chromium did not finish rendering {page} within 3 minutes");
        }

        var log = stderr.Result + stdout.Result;
        Assert.That(process.ExitCode, Is.EqualTo(0), log);
        Assert.That(File.Exists(png), Is.True, $"no screenshot written; chromium said:\n{log}");
        using var image = ImageDecoder.Decode(png, new ImageDecodeOptions(Channels: 3));
        var console = log.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)).ToList();
        return new Render(image.Width, image.Height, image.Pixels.ToArray(), console);
    }
}
