using System.Diagnostics;
using MoCo.Extraction.Tests.Support;
using MoCo.MLNet.Tests.Support;

namespace MoCo.Extraction.Tests;

// The resumability contract, through the real command in a child process: killed with SIGKILL at random moments,
// several times, then started again with the same command, the store ends up with every image exactly once and
// features equal bit for bit to an uninterrupted run's (same command, hence the same batches).
[NonParallelizable]
public class KillResumeTests
{
    [Test]
    public void Extraction_killed_with_sigkill_several_times_then_resumed_equals_a_clean_run_row_by_row()
    {
        using var dir = new TempDir();
        using (var encoder = new ReferenceEncoder(channels: 3, inputSize: 16, resize: 20, width: 4, seed: 21))
        {
            File.WriteAllBytes(dir.File("encoder.onnx"), encoder.OnnxBytes);
        }

        var images = dir.File("images");
        Directory.CreateDirectory(images);
        TestImages.Write(images, 400, seed: 22);
        File.WriteAllBytes(Path.Combine(images, "zz-broken.png"), [1, 2, 3]);
        string[] Args(string store) =>
            ["extract", "--model", dir.File("encoder.onnx"), "--data", images, "--out", store, "--onnx-batch", "8", "--rows-per-file", "16", "--threads", "1", "--quiet"];

        var (code, output) = MocoProcess.Run(Args(dir.File("clean")), TimeSpan.FromMinutes(5));
        Assert.That(code, Is.EqualTo(0), output);
        var clean = StoreContents.Read(dir.File("clean"));
        Assert.That(clean, Has.Count.EqualTo(401));

        var killed = dir.File("killed");
        var rng = new Random(23);
        var midJobKills = 0;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var process = MocoProcess.Start(Args(killed));
            // Wait for this run to make progress (one more finished feature file than when it started; a file left
            // uncommitted by the last kill is deleted and written again first), then kill at a random moment a little
            // later: before, during or after the next file's write, rename or commit.
            var before = FileCount(killed);
            var watch = Stopwatch.StartNew();
            while (!process.HasExited && FileCount(killed) <= before && watch.Elapsed < TimeSpan.FromMinutes(2))
            {
                Thread.Sleep(5);
            }

            // A file of 16 items takes tens of milliseconds on an idle machine: this lands anywhere in the next one's
            // decode, inference, write, rename or commit, and leaves most of the job for the later kills.
            Thread.Sleep(rng.Next(0, 60));
            if (process.HasExited)
            {
                break;
            }

            process.Kill(); // SIGKILL on Unix: no handler, no cleanup
            process.WaitForExit();
            midJobKills++;
            TestContext.Progress.WriteLine($"kill {midJobKills}: {CommittedImages(killed)} of 401 images committed");
        }

        Assert.That(midJobKills, Is.GreaterThanOrEqualTo(3), "the job ended before most kills: make it longer");
        (code, output) = MocoProcess.Run(Args(killed), TimeSpan.FromMinutes(5));
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("before this run"), "the last run resumed");

        var resumed = StoreContents.Read(killed); // also checks: no item twice, files on disk = files in the manifest
        Assert.That(resumed.Keys, Is.EquivalentTo(clean.Keys));
        foreach (var (item, image) in clean)
        {
            var other = resumed[item];
            Assert.That((other.Path, other.Status, other.Error), Is.EqualTo((image.Path, image.Status, image.Error)), $"item {item}");
            Assert.That(other.Features, Is.EqualTo(image.Features), $"item {item} ({image.Path}): features of the resumed store vs the clean run");
        }
    }

    private static long CommittedImages(string store)
    {
        // Read-write: a kill inside a transaction leaves a hot journal, which SQLite rolls back on the next open (as the
        // resumed run's open would); a read-only connection cannot, and fails.
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(store, "manifest.db")};Pooling=False");
        db.Open();
        return long.Parse(StoreContents.Scalar(db, "SELECT COUNT(*) FROM images"), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static int FileCount(string store) => Directory.Exists(store) ? Directory.EnumerateFiles(store, "part-*.parquet").Count() : 0;
}
