using MoCo.Training.Import;
using MoCo.Training.Serialization;

namespace MoCo.Training.Tests.Import;

/// <summary>The reader against torch.save's own files: every storage type a checkpoint holds, views (transposes,
/// offsets into a shared storage, stride-0 expansions), 0-d and empty tensors, parameters, in both containers.
/// Reference: PyTorch 1.13's contiguous copies of the same tensors (bfloat16 as float32, which holds it exactly).</summary>
[NonParallelizable]
public class PyTorchCheckpointReaderTests
{
    private string dir = "";

    [OneTimeSetUp]
    public void WriteFiles()
    {
        dir = Directory.CreateTempSubdirectory("moco-pt-").FullName;
        TorchFiles.Write(dir, """
            base = torch.randn(6, 5, dtype=torch.float32)
            t = collections.OrderedDict()
            t["f32"] = torch.randn(3, 4)
            t["f32_transposed"] = base.t()
            t["f32_row"] = base[2]
            t["f32_column_slice"] = base[1:5, 3:]
            t["f64"] = torch.randn(2, 3, dtype=torch.float64)
            t["f16"] = torch.randn(7).half()
            t["bf16"] = torch.randn(2, 5).bfloat16()
            t["i64"] = torch.randint(-2**40, 2**40, (4,), dtype=torch.int64)
            t["i32"] = torch.randint(-2**30, 2**30, (2, 2), dtype=torch.int32)
            t["i16"] = torch.randint(-2**14, 2**14, (3,), dtype=torch.int16)
            t["i8"] = torch.randint(-100, 100, (3,), dtype=torch.int8)
            t["u8"] = torch.randint(0, 255, (5,), dtype=torch.uint8)
            t["bool"] = torch.rand(6) > 0.5
            t["scalar"] = torch.tensor(7, dtype=torch.int64)
            t["empty"] = torch.zeros(0, 3)
            t["expanded"] = torch.randn(3, 1).expand(3, 4)
            t["param"] = torch.nn.Parameter(torch.randn(2, 2))
            ref = {k: (v.float() if v.dtype == torch.bfloat16 else v).detach().contiguous() for k, v in t.items()}
            st_save("values.expected", ref)
            f = {"a": torch.randn(3, 2), "b": torch.randn(5, dtype=torch.float64)[1:]}
            torch.save(f, "floats.zip.pt")
            st_save("floats.expected", {k: v.contiguous() for k, v in f.items()})
            obj = {"tensors": t, "epoch": 3, "name": "x", "nested": [t["f32_row"], (1, 2.5, None, True)], "raw": b"\x00\xff"}
            for p in (1, 2, 4, 5):
                torch.save(obj, f"values.zip.p{p}.pt", pickle_protocol=p)
                torch.save(obj, f"values.legacy.p{p}.pt", pickle_protocol=p, _use_new_zipfile_serialization=False)
            """);
    }

    [OneTimeTearDown]
    public void RemoveDir() => Directory.Delete(dir, recursive: true);

    /// <summary>torch.save's default pickle protocol is 2; 1 brings the text opcodes (INT for bools), 4 and 5 FRAME,
    /// STACK_GLOBAL, MEMOIZE and the short string and bytes opcodes.</summary>
    [Test]
    public void Reads_every_storage_type_and_view_as_PyTorch_does(
        [Values(PyTorchFormat.Zip, PyTorchFormat.Legacy)] PyTorchFormat format, [Values(1, 2, 4, 5)] int protocol)
    {
        string file = $"values.{(format == PyTorchFormat.Zip ? "zip" : "legacy")}.p{protocol}.pt";
        AssertValues(PyTorchCheckpointReader.Read(Path.Combine(dir, file)), format);
    }

    [Test]
    public void Reads_a_legacy_file_saved_from_the_GPU()
    {
        // torch.cuda.FloatStorage instead of torch.FloatStorage, as on the machines that wrote the MoCo v1/v2 files; the
        // legacy stream has no offsets, so the longer global name can be spliced in.
        byte[] bytes = File.ReadAllBytes(Path.Combine(dir, "values.legacy.p2.pt"));
        byte[] cuda = Replace(bytes, "ctorch\nFloatStorage\n"u8.ToArray(), "ctorch.cuda\nFloatStorage\n"u8.ToArray());
        Assert.That(cuda, Has.Length.GreaterThan(bytes.Length));
        string path = Path.Combine(dir, "values.cuda.pt");
        File.WriteAllBytes(path, cuda);
        AssertValues(PyTorchCheckpointReader.Read(path), PyTorchFormat.Legacy);
    }

    [Test]
    public void Reads_a_big_endian_archive()
    {
        // PyTorch on a big-endian machine writes byteorder "big" and each element's bytes reversed: rewrite the archive so.
        string little = Path.Combine(dir, "floats.zip.pt"), big = Path.Combine(dir, "floats.big.pt");
        using (var source = System.IO.Compression.ZipFile.OpenRead(little))
        using (var target = System.IO.Compression.ZipFile.Open(big, System.IO.Compression.ZipArchiveMode.Create))
        {
            string prefix = source.Entries.Single(e => e.Name == "data.pkl").FullName[..^"data.pkl".Length];
            foreach (var entry in source.Entries)
            {
                using var input = entry.Open();
                var bytes = new byte[entry.Length];
                input.ReadExactly(bytes);
                // Storage 0 is "a" (float32), storage 1 is "b" (float64), in the order the pickle first meets them.
                int size = entry.FullName == prefix + "data/0" ? 4 : entry.FullName == prefix + "data/1" ? 8 : 1;
                for (int i = 0; size > 1 && i < bytes.Length; i += size) Array.Reverse(bytes, i, size);
                using var output = target.CreateEntry(entry.FullName, System.IO.Compression.CompressionLevel.NoCompression).Open();
                output.Write(bytes);
            }
            using var order = new StreamWriter(target.CreateEntry(prefix + "byteorder").Open());
            order.Write("big");
        }
        PyTorchFile read = PyTorchCheckpointReader.Read(big);
        using var expected = SafeTensors.Load(Path.Combine(dir, "floats.expected"));
        foreach (var (path, tensor) in read.Tensors)
        {
            using Tensor have = tensor.ToTensor();
            Assert.That(TorchFiles.Bytes(have), Is.EqualTo(TorchFiles.Bytes(expected.Tensors[path])), path);
        }
        Assert.That(read.Tensors, Has.Count.EqualTo(2));
    }

    private void AssertValues(PyTorchFile read, PyTorchFormat format)
    {
        Assert.That(read.Format, Is.EqualTo(format));
        Assert.That(read.TopLevelKeys, Is.EqualTo(new[] { "tensors", "epoch", "name", "nested", "raw" }));
        Assert.That(read.IgnoredObjects, Is.Empty);
        var root = (PyDict)read.Root!;
        Assert.That(root.TryGet("epoch", out object? epoch) && epoch is 3L);
        Assert.That(root.TryGet("raw", out object? raw) && raw is byte[] b && b.SequenceEqual(new byte[] { 0, 255 }));
        Assert.That(read.Tensors.Select(t => t.path), Has.Member("nested[0]"));
        var nested = (List<object?>)(root.TryGet("nested", out object? n) ? n : null)!;
        Assert.That(((PyTuple)nested[1]!).Items, Is.EqualTo(new object?[] { 1L, 2.5, null, true }));

        using var expected = SafeTensors.Load(Path.Combine(dir, "values.expected"));
        var tensors = read.Tensors.Where(t => t.path.StartsWith("tensors.", StringComparison.Ordinal)).ToDictionary(t => t.path["tensors.".Length..], t => t.tensor);
        Assert.That(tensors.Keys, Is.EqualTo(expected.Names));
        Assert.That(tensors["param"].IsParameter, Is.True);
        Assert.That(tensors["f32_transposed"].Storage, Is.SameAs(tensors["f32_row"].Storage), "views share their storage");
        foreach (var (name, want) in expected.Tensors)
        {
            using Tensor have = tensors[name].ToTensor();
            using Tensor compared = have.dtype == ScalarType.BFloat16 ? have.to_type(ScalarType.Float32) : have.alias();
            Assert.That(compared.dtype, Is.EqualTo(want.dtype), name);
            Assert.That(compared.shape, Is.EqualTo(want.shape), name);
            Assert.That(TorchFiles.Bytes(compared), Is.EqualTo(TorchFiles.Bytes(want)), name);
        }
        Assert.That(tensors["bf16"].DType, Is.EqualTo(ScalarType.BFloat16));
    }

    private static byte[] Replace(byte[] bytes, byte[] from, byte[] to)
    {
        var output = new List<byte>(bytes.Length + 64);
        for (int i = 0; i < bytes.Length;)
        {
            if (bytes.AsSpan(i).StartsWith(from))
            {
                output.AddRange(to);
                i += from.Length;
            }
            else output.Add(bytes[i++]);
        }
        return [.. output];
    }

    [Test]
    public void A_missing_file_says_so()
    {
        string path = Path.Combine(dir, "nope.pth");
        Assert.That(() => PyTorchCheckpointReader.Read(path), Throws.TypeOf<FileNotFoundException>().With.Message.Contains(path));
    }
}
