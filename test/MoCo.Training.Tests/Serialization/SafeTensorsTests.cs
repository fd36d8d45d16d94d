using System.Buffers.Binary;
using System.Text;
using MoCo.Training.Serialization;
using MoCo.Training.Tests.Reference;
using static TorchSharp.torch;

namespace MoCo.Training.Tests.Serialization;

public class SafeTensorsTests
{
    private string dir = "";

    [SetUp]
    public void MakeDir() => dir = Directory.CreateTempSubdirectory("moco-st-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, recursive: true);

    [Test]
    public void Round_trip_keeps_names_order_dtypes_shapes_values_and_metadata()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var tensors = new List<KeyValuePair<string, Tensor>>
        {
            new("encoder_q.conv1.weight", randn([4, 1, 3, 3])),
            new("queue", randn([8, 16], ScalarType.Float64)),
            new("queue_ptr", tensor(new long[] { 5 })),
            new("mask", tensor(new[] { true, false, true })),
            new("bytes", tensor(new byte[] { 1, 255 })),
            new("ints", tensor(new[] { -3, 7 })),
            new("half", randn([3]).to(ScalarType.Float16)),
            new("scalar", tensor(2.5f)),
            new("empty", zeros([0, 3])),
        };
        string path = Path.Combine(dir, "a.safetensors");
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["format"] = "pt", ["moco.config"] = "{\"k\":1}" });
        using var loaded = SafeTensors.Load(path);
        Assert.That(loaded.Names, Is.EqualTo(tensors.Select(t => t.Key)));
        Assert.That(loaded.Metadata["moco.config"], Is.EqualTo("{\"k\":1}"));
        foreach (var (name, original) in tensors)
        {
            Tensor back = loaded.Tensors[name];
            Assert.That(back.dtype, Is.EqualTo(original.dtype), name);
            Assert.That(back.shape, Is.EqualTo(original.shape), name);
            Assert.That(back.SameValues(original), Is.True, name);
        }
        Assert.That((8 + BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(path))) % 8, Is.EqualTo(0), "data starts 8-aligned");
        Assert.That(Directory.GetFiles(dir), Has.Length.EqualTo(1), "no temporary file left behind");
    }

    [Test]
    public void Header_follows_the_format_byte_for_byte()
    {
        using var scope = NewDisposeScope();
        string path = Path.Combine(dir, "b.safetensors");
        SafeTensors.Save(path, [new("w", tensor(new float[] { 1, 2 }))]);
        byte[] bytes = File.ReadAllBytes(path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n).TrimEnd(' ');
        Assert.That(header, Is.EqualTo("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"));
        Assert.That(BitConverter.ToSingle(bytes, 8 + (int)n + 4), Is.EqualTo(2f));
    }

    [Test]
    public void Python_reads_our_file_and_we_read_pythons()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var w = randn([3, 5]);
        var idx = tensor(new long[] { 9, -1, 4 });
        using var r = PyTorch.Run("""
            out["w2"] = inp["w"] * 2
            out["idx_sum"] = inp["idx"].sum().reshape(1)
            out["from_python"] = torch.arange(6, dtype=torch.float64).reshape(2, 3)
            out["flags"] = torch.tensor([True, False])
            """, new Dictionary<string, Tensor> { ["w"] = w, ["idx"] = idx });
        Assert.That(r.Tensors["w2"].allclose(w * 2), Is.True);
        Assert.That(r.Tensors["idx_sum"].ToArray<long>(), Is.EqualTo(new long[] { 12 }));
        Assert.That(r.Tensors["from_python"].ToArray<double>(), Is.EqualTo(new double[] { 0, 1, 2, 3, 4, 5 }));
        Assert.That(r.Tensors["from_python"].shape, Is.EqualTo(new long[] { 2, 3 }));
        Assert.That(r.Tensors["flags"].ToArray<bool>(), Is.EqualTo(new[] { true, false }));
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] WithHeader(string json, int dataBytes)
    {
        byte[] h = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        return bytes;
    }

    [Test]
    public void Corrupt_files_raise_clear_errors_naming_the_file()
    {
        Assert.Throws<FileNotFoundException>(() => SafeTensors.Load(Path.Combine(dir, "missing.safetensors")));
        var cases = new Dictionary<string, byte[]>
        {
            ["empty"] = [],
            ["short"] = [1, 2, 3],
            ["huge-header"] = WithHeader("{}", 0).Select((b, i) => i == 7 ? (byte)0x7f : b).ToArray(),
            ["bad-json"] = WithHeader("{\"w\": [", 0),
            ["bad-dtype"] = WithHeader("{\"w\":{\"dtype\":\"Q9\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
            ["outside"] = WithHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8),
            ["wrong-size"] = WithHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
            ["negative-shape"] = WithHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8),
        };
        foreach (var (name, bytes) in cases)
        {
            string path = Write(name + ".safetensors", bytes);
            var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path), name);
            Assert.That(e!.Message, Does.Contain(path), name);
        }
    }
}
