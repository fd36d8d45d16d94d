using MoCo.Cli.Report;
using MoCo.Cli.Tests.Support;
using MoCo.MLNet.Tests.Support;

namespace MoCo.Cli.Tests.Report;

/// <summary>The report in a real browser: Debian's headless Chromium renders it without console messages, and the
/// screenshot is not blank (pixel variance) and shows the map's class colours. Two controls prove the checks can
/// fail: a blank page has no variance, and a page that throws is caught by the console check.</summary>
public class ReportBrowserTests
{
    private const int Width = 1280, Height = 3000;

    [Test]
    public void The_report_renders_in_chromium_without_console_messages_and_is_not_blank()
    {
        HeadlessChromium.RequireInstalled();
        using var temp = new TempDir();
        var page = temp.File("report.html");
        File.WriteAllText(page, ReportPage.Render(ReportFixtures.Store(), new ReportSettings()));
        var render = HeadlessChromium.Screenshot(page, Width, Height);
        Assert.That(render.ConsoleLines, Is.Empty);
        Assert.That((render.Width, render.Height), Is.EqualTo((Width, Height)));
        Assert.That(render.PixelVariance, Is.GreaterThan(500), "a page of text, thumbnails and a map");
        // The map's dots (and the gallery's frames) in the first three class colours of tab10.
        foreach (var colour in new[] { "#1f77b4", "#ff7f0e", "#2ca02c" }) Assert.That(render.PixelsNear(colour), Is.GreaterThan(50), colour);
        Assert.That(render.PixelsNear("#d62728"), Is.GreaterThan(50), "wrong-label frames in red");
    }

    [Test]
    public void Controls_a_blank_page_has_no_variance_and_a_throwing_page_is_caught()
    {
        HeadlessChromium.RequireInstalled();
        using var temp = new TempDir();
        var blank = temp.File("blank.html");
        File.WriteAllText(blank, "<!DOCTYPE html><html><body style=\"background:#fff\"></body></html>");
        var white = HeadlessChromium.Screenshot(blank, 400, 300);
        Assert.That(white.PixelVariance, Is.LessThan(1));
        Assert.That(white.ConsoleLines, Is.Empty);
        var throwing = temp.File("throws.html");
        File.WriteAllText(throwing, "<!DOCTYPE html><html><body><p>x</p><script>throw new Error('report broke');</script></body></html>");
        Assert.That(HeadlessChromium.Screenshot(throwing, 400, 300).ConsoleLines, Has.Some.Contains("report broke"));
    }
}
