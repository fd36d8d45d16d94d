using MoCo.Cli.Tests.Support;

namespace MoCo.Cli.Tests;

// `moco ablate` end to end on a tiny IDX data set written here: the untrained baseline and three grid points of a few steps each.
[NonParallelizable]
public class AblateCommandTests() : TinyIdxDataTests("moco-ablate-", seed: 2, count: 64, side: 12)
{
    private string[] Args(string output, params string[] extra) =>
        ["ablate", "--data", $"idx:{dir}:train", "--sweep", "negatives,shuffle-bn", "--methods", "moco", "--negatives", "32", "--queue", "64",
         "--batch", "16", "--bn-splits", "2", "--width", "4", "--epochs", "1", "--threads", "1", "--labels", "48", "--probe-iterations", "20",
         "--out", output, .. extra];

    private static (int code, string output) Run(string[] args)
    {
        var run = MocoRun.Captured(args);
        return (run.Code, run.Out);
    }

    [Test]
    public void Ablate_runs_each_point_writes_the_tables_and_skips_finished_points_when_run_again()
    {
        string output = Path.Combine(dir, "ablation");
        var (code, text) = Run(Args(output));
        Assert.That(code, Is.EqualTo(0), text);
        string[] csv = File.ReadAllLines(Path.Combine(output, "results.csv"));
        Assert.That(csv.Skip(1).Select(l => l.Split(',')[0]), Is.EqualTo(new[] { "random-init", "moco-k32-m0.999-sbn-b16", "moco-k64-m0.999-sbn-b16", "moco-k64-m0.999-nosbn-b16" }));
        Assert.That(csv.Skip(1).Select(l => l.Split(',')[12]), Is.All.EqualTo("ok"));
        foreach (string line in csv.Skip(1)) Assert.That(File.Exists(Path.Combine(output, line.Split(',')[0], "result.json")), line);
        Assert.That(text, Does.Contain("4 point(s) ok, 0 failed, 0 skipped"));
        // The figures, drawn by moco itself: ScottPlot on the SkiaSharp 3.119 that ML.NET 6 runs on in this process too.
        foreach (string figure in new[] { "negatives.png", "shuffle-bn.png" })
            Assert.That(File.ReadAllBytes(Path.Combine(output, figure)).Take(8), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), figure);

        (code, text) = Run(Args(output));
        Assert.That(code, Is.EqualTo(0), text);
        Assert.That(text.Split("done before").Length - 1, Is.EqualTo(4), text);

        // Without the baseline: the same points less random-init, all done.
        (code, text) = Run(Args(output, "--baseline", "false"));
        Assert.That(code, Is.EqualTo(0), text);
        Assert.That(text, Does.Not.Contain("random-init").And.Contain("3 point(s) ok"));
    }

    [Test]
    public void Ablate_on_a_class_folder_trains_through_the_loader_and_evaluates_on_the_test_folder()
    {
        string images = Path.Combine(dir, "photos");
        ImageFolders.TwoClasses(images, perClass: 8, width: 20, height: 18);
        string output = Path.Combine(dir, "folder-ablation");
        var (code, text) = Run(["ablate", "--data", images, "--test-data", images, "--sweep", "shuffle-bn", "--input-size", "16", "--width", "4",
            "--batch", "4", "--queue", "8", "--bn-splits", "2", "--epochs", "1", "--threads", "1", "--workers", "1", "--labels", "16",
            "--probe-iterations", "20", "--out", output]);
        Assert.That(code, Is.EqualTo(0), text);
        string[] csv = File.ReadAllLines(Path.Combine(output, "results.csv"));
        Assert.That(csv.Skip(1).Select(l => (l.Split(',')[0], l.Split(',')[12])), Is.EqualTo(new[]
        {
            ("random-init", "ok"), ("moco-k8-m0.999-sbn-b4", "ok"), ("moco-k8-m0.999-nosbn-b4", "ok"),
        }));
        Assert.That(File.Exists(Path.Combine(output, "moco-k8-m0.999-nosbn-b4", "last.ckpt")));
    }

    [Test]
    public void An_unknown_sweep_is_a_user_error()
    {
        var run = MocoRun.Captured("ablate", "--data", $"idx:{dir}:train", "--sweep", "temperature", "--out", Path.Combine(dir, "x"));
        Assert.That(run.Code, Is.EqualTo(1));
        Assert.That(run.Error, Does.Contain("unknown sweep 'temperature'"));
    }
}
