using System.Diagnostics;
using MoCo.Extraction.Reading;
using MoCo.Extraction.Tests.Support;
using MoCo.MLNet.Tests.Support;

namespace MoCo.Extraction.Tests;

// One writer per store. The other writers are real processes: Python's own fcntl (an independent implementation of
// the same open-file-description lock) and the built `moco extract`; a killed holder is SIGKILLed, so nothing of it runs.
[NonParallelizable]
public class StoreWriterLockTests
{
    private TempDir _dir = null!;

    [OneTimeSetUp]
    public void SetUp() => _dir = new TempDir();

    [OneTimeTearDown]
    public void TearDown() => _dir.Dispose();

    private string Folder(string name)
    {
        var folder = _dir.File(name);
        Directory.CreateDirectory(folder);
        return folder;
    }

    [Test]
    public void A_second_writer_in_the_same_process_is_refused_naming_the_holder_and_a_released_lock_is_free()
    {
        var folder = Folder("in-process");
        using (var first = StoreWriterLock.Acquire(folder, "moco extract"))
        {
            Assert.That(first.TakenOverFrom, Is.Null);
            var e = Assert.Throws<InvalidOperationException>(() => StoreWriterLock.Acquire(folder, "moco extract merge"));
            Assert.That(e!.Message, Does.Contain(StoreWriterLock.ThisProcess).And.Contain("moco extract").And.Contain("being written by another process"));
        }

        using var again = StoreWriterLock.Acquire(folder, "moco extract");
        Assert.That(again.TakenOverFrom, Is.Null, "a clean release leaves no holder line");
    }

    [Test]
    public void A_lock_held_by_another_process_refuses_at_once_and_is_taken_over_once_that_process_is_killed()
    {
        var folder = Folder("python-holder");
        var script = """
            import fcntl, os, socket, struct, sys, time
            fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack('hhqqi', fcntl.F_WRLCK, 0, 0, 0, 0))
            os.ftruncate(fd, 0)
            os.write(fd, f"pid {os.getpid()} on host {socket.gethostname()} (python holder)\n".encode())
            print("locked", flush=True)
            time.sleep(120)
            """;
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(Path.Combine(folder, StoreWriterLock.FileName));
        using var holder = Process.Start(info)!;
        try
        {
            Assert.That(holder.StandardOutput.ReadLine(), Is.EqualTo("locked"), "the Python holder did not lock"); // (its stderr is read only after the kill)
            var watch = Stopwatch.StartNew();
            var e = Assert.Throws<InvalidOperationException>(() => StoreWriterLock.Acquire(folder, "moco extract"));
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "refused at once, not after a wait");
            Assert.That(e!.Message, Does.Contain($"pid {holder.Id} on host {Environment.MachineName} (python holder)"));
        }
        finally
        {
            holder.Kill(); // SIGKILL: the lock file keeps the dead holder's line
            holder.WaitForExit();
        }

        using var taken = StoreWriterLock.Acquire(folder, "moco extract");
        Assert.That(taken.TakenOverFrom, Does.Contain($"pid {holder.Id}"));
        Assert.That(File.ReadAllText(Path.Combine(folder, StoreWriterLock.FileName)), Does.StartWith(StoreWriterLock.ThisProcess));
    }

    [Test]
    public void Two_concurrent_extractions_one_refused_with_the_holders_pid_and_the_store_equal_to_a_clean_run()
    {
        using (var encoder = new ReferenceEncoder(channels: 3, inputSize: 16, resize: 20, width: 4, seed: 31))
        {
            File.WriteAllBytes(_dir.File("encoder.onnx"), encoder.OnnxBytes);
        }

        var images = Folder("images");
        TestImages.Write(images, 600, seed: 32);
        string[] Args(string store) =>
            ["extract", "--model", _dir.File("encoder.onnx"), "--data", images, "--out", store, "--onnx-batch", "8", "--rows-per-file", "16", "--threads", "1", "--quiet"];
        var (code, output) = MocoProcess.Run(Args(_dir.File("clean")), TimeSpan.FromMinutes(5));
        Assert.That(code, Is.EqualTo(0), output);

        var store = _dir.File("contended");
        using var first = MocoProcess.Start(Args(store));
        var stdout = first.StandardOutput.ReadToEndAsync();
        var stderr = first.StandardError.ReadToEndAsync();
        var lockFile = Path.Combine(store, StoreWriterLock.FileName);
        var watch = Stopwatch.StartNew();
        while (!first.HasExited && !(File.Exists(lockFile) && ReadShared(lockFile).Contains($"pid {first.Id}", StringComparison.Ordinal)) && watch.Elapsed < TimeSpan.FromMinutes(2))
        {
            Thread.Sleep(5);
        }

        Assert.That(first.HasExited, Is.False, "the first writer ended before the second started: make the job longer");
        // The second writer in this process (no start-up delay, so it meets the first one running).
        var second = Assert.Throws<InvalidOperationException>(() => ExtractionJob.Run(new ExtractionOptions
        {
            ModelPath = _dir.File("encoder.onnx"), Data = images, Out = store, BatchSize = 8, ItemsPerFile = 16, Threads = 1,
        }));
        var stillRunning = !first.HasExited;
        first.WaitForExit();
        Assert.That(first.ExitCode, Is.EqualTo(0), stdout.Result + stderr.Result);
        Assert.That(stillRunning, Is.True, "the second writer must have met a running first one");
        Assert.That(second!.Message, Does.StartWith($"store {store} is being written by another process: pid {first.Id} on host {Environment.MachineName} (moco extract, since "));

        var clean = StoreContents.Read(_dir.File("clean"));
        var contended = StoreContents.Read(store);
        Assert.That(contended.Keys, Is.EquivalentTo(clean.Keys));
        foreach (var (item, image) in clean)
        {
            Assert.That(contended[item].Features, Is.EqualTo(image.Features), $"item {item}");
        }

        Assert.That(FeatureStoreReader.Open(store).RowCount, Is.EqualTo(600), "a reader never needed the lock");
    }

    private static string ReadShared(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            return "";
        }
    }
}
