using MoCo.Training.Import;

namespace MoCo.Training.Tests.Import;

/// <summary>
/// Pickles that run a command when Python loads them (their reduce calls os.system, builtins.eval or subprocess.Popen
/// to create a sentinel file), as the whole file and as the state_dict value, in both torch.save containers: each is
/// refused with the global named, and the sentinel never appears. One of them is loaded by Python's torch.load too,
/// which does create its sentinel: the fixtures are live.
/// </summary>
[NonParallelizable]
public class HostilePickleTests
{
    private string dir = "";
    private string sentinel = "";

    [OneTimeSetUp]
    public void WriteFiles()
    {
        dir = Directory.CreateTempSubdirectory("moco-hostile-").FullName;
        sentinel = Path.Combine(dir, "sentinel");
        TorchFiles.Write(dir, $$"""
            Reduce = tc.Reduce
            def make_storage(): pass
            for fmt, legacy in (("zip", False), ("legacy", True)):
                z = not legacy
                for name in ("os", "eval", "subprocess"):
                    for where in ("whole", "state_dict", "nested"):
                        tc.hostile(f"{name}.{where}.{fmt}.pt", {{TorchFiles.Quote(sentinel)}}, name, where, legacy)
                bad = Reduce(torch._utils._rebuild_tensor_v2, Reduce(make_storage), 0, (2,), (1,), False, collections.OrderedDict())
                torch.save({"state_dict": dict(w=bad)}, f"tensor.{fmt}.pt", _use_new_zipfile_serialization=z)
                torch.save(Reduce(make_storage), f"call.{fmt}.pt", _use_new_zipfile_serialization=z)
                torch.save({"epoch": 1, "state_dict": Reduce(make_storage)}, f"call.state_dict.{fmt}.pt", _use_new_zipfile_serialization=z)
            """);
    }

    [OneTimeTearDown]
    public void RemoveDir() => Directory.Delete(dir, recursive: true);

    private static IEnumerable<TestCaseData> Payloads()
    {
        foreach (string fmt in (string[])["zip", "legacy"])
        {
            foreach (string where in (string[])["whole", "state_dict", "nested"])
            {
                yield return new TestCaseData($"os.{where}.{fmt}.pt", "posix.system").SetName($"os.system, {where}, {fmt}");
                yield return new TestCaseData($"eval.{where}.{fmt}.pt", "builtins.eval").SetName($"builtins.eval, {where}, {fmt}");
                yield return new TestCaseData($"subprocess.{where}.{fmt}.pt", "subprocess.Popen").SetName($"subprocess.Popen, {where}, {fmt}");
            }
        }
    }

    [TestCaseSource(nameof(Payloads))]
    public void A_pickle_that_runs_a_command_is_refused_with_the_global_named(string file, string global)
    {
        string path = Path.Combine(dir, file);
        var e = Assert.Throws<UnsafePickleException>(() => PyTorchCheckpointReader.Read(path))!;
        Assert.That(e.Global, Is.EqualTo(global));
        Assert.That(e.Message, Does.StartWith(path + ": refused: the file refers to " + global));
        Assert.That(e.Message, Does.Contain("nothing was run"));
        Assert.That(File.Exists(sentinel), Is.False, "the command it carries never ran");
    }

    [TestCase("zip")]
    [TestCase("legacy")]
    public void A_tensor_built_from_a_call_of_another_global_is_refused(string fmt)
    {
        var e = Assert.Throws<UnsafePickleException>(() => PyTorchCheckpointReader.Read(Path.Combine(dir, $"tensor.{fmt}.pt")))!;
        Assert.That(e.Global, Is.EqualTo("__main__.make_storage"));
        Assert.That(e.Message, Does.Contain("torch._utils._rebuild_tensor_v2 would take a value built by calling __main__.make_storage"));
    }

    [TestCase("zip")]
    [TestCase("legacy")]
    public void A_file_whose_object_is_a_call_is_refused(string fmt)
    {
        var e = Assert.Throws<UnsafePickleException>(() => PyTorchCheckpointReader.Read(Path.Combine(dir, $"call.{fmt}.pt")))!;
        Assert.That(e.Global, Is.EqualTo("__main__.make_storage"));
        Assert.That(e.Message, Does.Contain("the file's object is a call of __main__.make_storage"));
    }

    [TestCase("zip")]
    [TestCase("legacy")]
    public void A_state_dict_that_is_a_call_is_read_inert_but_refused_on_import(string fmt)
    {
        PyTorchFile read = PyTorchCheckpointReader.Read(Path.Combine(dir, $"call.state_dict.{fmt}.pt"));
        Assert.That(read.IgnoredObjects, Is.EqualTo(new[] { new IgnoredObject("state_dict", "__main__.make_storage") }));
        var e = Assert.Throws<UnsafePickleException>(() => EncoderImporter.Import(read))!;
        Assert.That(e.Global, Is.EqualTo("__main__.make_storage"));
        Assert.That(e.Message, Does.Contain("the file's state_dict is a call of __main__.make_storage"));
    }

    [Test]
    public void The_fixtures_are_live_Python_runs_them()
    {
        string live = Path.Combine(dir, "live");
        string copy = Path.Combine(dir, "live.pt");
        TorchFiles.Write(dir, $$"""
            tc.hostile({{TorchFiles.Quote(copy)}}, {{TorchFiles.Quote(live)}}, "os", "whole", legacy=False)
            torch.load({{TorchFiles.Quote(copy)}})
            """);
        Assert.That(File.Exists(live), Is.True, "torch.load ran the payload, so the reader's refusals above are tested against real ones");
        Assert.That(() => PyTorchCheckpointReader.Read(copy), Throws.TypeOf<UnsafePickleException>());
    }
}
