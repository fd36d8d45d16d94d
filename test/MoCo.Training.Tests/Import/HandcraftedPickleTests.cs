using System.Text;
using MoCo.Training.Import;

namespace MoCo.Training.Tests.Import;

/// <summary>Pickles written opcode by opcode (Lib/pickletools.py's names) inside a legacy torch.save container:
/// what no torch.save writes, but a hostile or broken file can hold.</summary>
public class HandcraftedPickleTests
{
    private string dir = "";

    [SetUp]
    public void MakeDir() => dir = Directory.CreateTempSubdirectory("moco-pickle-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, recursive: true);

    /// <summary>A legacy file: magic number, protocol 1001, an empty system-info dict, <paramref name="pickle"/>, no storages.</summary>
    private string Legacy(params byte[][] pickle) => LegacyWithStorages(pickle.SelectMany(p => p).ToArray(), [0x80, 2, (byte)']', (byte)'.']);

    /// <summary>A legacy file with <paramref name="tail"/> (the key list's pickle and the storages) after the object.</summary>
    private string LegacyWithStorages(byte[] pickle, byte[] tail)
    {
        byte[] magic = [0x80, 2, 0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, (byte)'.'];
        byte[] version = [0x80, 2, (byte)'M', 0xe9, 0x03, (byte)'.'];
        byte[] info = [0x80, 2, (byte)'}', (byte)'.'];
        string path = Path.Combine(dir, "f.pt");
        File.WriteAllBytes(path, [.. magic, .. version, .. info, .. pickle, .. tail]);
        return path;
    }

    [Test]
    public void An_old_storage_view_reads_its_slice_of_the_root_storage()
    {
        // The legacy persistent id's view_metadata (view_key, offset, size) marks a storage that views another: root 'r'
        // holds 1, 2, 3, 4; view 'v' is its elements 1..2; the tensor is all of the view: [2, 3].
        byte[] pickle =
        [
            0x80, 2, .. A("ctorch._utils\n_rebuild_tensor_v2\n"), (byte)'(', (byte)'(',
            .. A("X"), 7, 0, 0, 0, .. A("storage"), .. A("ctorch\nFloatStorage\n"), .. A("X"), 1, 0, 0, 0, .. A("r"),
            .. A("X"), 3, 0, 0, 0, .. A("cpu"), (byte)'K', 4, .. A("X"), 1, 0, 0, 0, .. A("v"), (byte)'K', 1, (byte)'K', 2, 0x87,
            (byte)'t', (byte)'Q', (byte)'K', 0, (byte)'K', 2, 0x85, (byte)'K', 1, 0x85, 0x89, (byte)'}', (byte)'t', (byte)'R', (byte)'.',
        ];
        byte[] storage = [4, 0, 0, 0, 0, 0, 0, 0, .. new float[] { 1, 2, 3, 4 }.SelectMany(BitConverter.GetBytes)];
        string path = LegacyWithStorages(pickle, [0x80, 2, (byte)'(', .. A("X"), 1, 0, 0, 0, .. A("r"), (byte)'l', (byte)'.', .. storage]);
        var tensor = (PyTorchTensor)PyTorchCheckpointReader.Read(path).Root!;
        using Tensor t = tensor.ToTensor();
        Assert.That(t.ToArray<float>(), Is.EqualTo(new float[] { 2, 3 }));
        Assert.That(tensor.Storage.Root!.Key, Is.EqualTo("r"));
    }

    private static byte[] A(string s) => Encoding.ASCII.GetBytes(s);

    private static byte[] Repeat(byte b, int n) => Enumerable.Repeat(b, n).ToArray();

    [Test]
    public void An_empty_handcrafted_file_reads_as_the_container_describes()
    {
        PyTorchFile read = PyTorchCheckpointReader.Read(Legacy([0x80, 2, (byte)'}', (byte)'.']));
        Assert.That(read.Format, Is.EqualTo(PyTorchFormat.Legacy));
        Assert.That(read.TopLevelKeys, Is.Empty);
    }

    [Test]
    public void A_million_levels_of_nesting_is_refused_without_overflowing_the_stack()
    {
        string path = Legacy([0x80, 2, (byte)'N'], Repeat(0x85, 1_000_000), A("."));   // None in a million TUPLE1s
        Assert.That(() => PyTorchCheckpointReader.Read(path), Throws.TypeOf<InvalidDataException>().With.Message.Contains("nested over 100 levels"));
    }

    [Test]
    public void A_dict_key_nested_a_million_levels_deep_is_hashed_without_recursion()
    {
        string path = Legacy([0x80, 2, (byte)'}', (byte)'N'], Repeat(0x85, 1_000_000), A("Ns."));   // {((…(None,)…),): None}
        Assert.That(PyTorchCheckpointReader.Read(path).TopLevelKeys, Is.EqualTo(new[] { "tuple" }));
    }

    [Test]
    public void A_list_that_holds_itself_reads()
    {
        string path = Legacy([0x80, 2, (byte)']', (byte)'q', 0, (byte)'h', 0, (byte)'a', (byte)'.']);   // x = []; x.append(x)
        var root = (List<object?>)PyTorchCheckpointReader.Read(path).Root!;
        Assert.That(root[0], Is.SameAs(root));
    }

    [TestCase("cos\nsystem\n", "os.system", TestName = "GLOBAL os.system")]
    [TestCase("cnt\nsystem\n", "nt.system", TestName = "GLOBAL nt.system")]
    [TestCase("c__builtin__\nexec\n", "builtins.exec", TestName = "GLOBAL __builtin__.exec (Python 2's name)")]
    [TestCase("crunpy\nrun_path\n", "runpy.run_path", TestName = "GLOBAL runpy.run_path")]
    [TestCase("ctorch\nload\n", "torch.load", TestName = "GLOBAL torch.load")]
    public void A_global_that_runs_code_is_refused_on_sight(string global, string name)
    {
        string path = Legacy([0x80, 2], A(global), A(")R."));
        var e = Assert.Throws<UnsafePickleException>(() => PyTorchCheckpointReader.Read(path))!;
        Assert.That(e.Global, Is.EqualTo(name));
    }

    [Test]
    public void STACK_GLOBAL_and_INST_are_checked_like_GLOBAL()
    {
        // Protocol 4: SHORT_BINUNICODE 'os', SHORT_BINUNICODE 'system', STACK_GLOBAL.
        string stack = Legacy([0x80, 4, 0x8c, 2, .. A("os"), 0x8c, 6, .. A("system"), 0x93, (byte)')', (byte)'R', (byte)'.']);
        Assert.That(Assert.Throws<UnsafePickleException>(() => PyTorchCheckpointReader.Read(stack))!.Global, Is.EqualTo("os.system"));
        // Protocol 0's INST: MARK, an argument, 'i' module and name lines.
        string inst = Legacy(A("(S'touch x'\nisubprocess\ncall\n."));
        Assert.That(Assert.Throws<UnsafePickleException>(() => PyTorchCheckpointReader.Read(inst))!.Global, Is.EqualTo("subprocess.call"));
    }

    [TestCase(new byte[] { 0x80, 6, (byte)'N', (byte)'.' }, "protocol 6 is newer than 5")]
    [TestCase(new byte[] { 0x80, 2, 0x82, 1, (byte)'.' }, "extension registry")]
    [TestCase(new byte[] { 0x80, 5, 0x97, (byte)'.' }, "out-of-band buffers")]
    [TestCase(new byte[] { 0x80, 2, (byte)'X', 0xff, 0xff, 0xff, 0x7f }, "truncated")]
    [TestCase(new byte[] { 0x80, 2, (byte)'h', 7, (byte)'.' }, "memo entry 7, which it never stored")]
    [TestCase(new byte[] { 0x80, 2, (byte)'t', (byte)'.' }, "pops a MARK it never set")]
    [TestCase(new byte[] { 0x80, 2, (byte)'.' }, "empty stack")]
    [TestCase(new byte[] { 0x80, 2, (byte)'K', 1, (byte)')', (byte)'R', (byte)'.' }, "calls a int, not a global")]
    [TestCase(new byte[] { 0x80, 2, (byte)'K', 1, (byte)'Q', (byte)'.' }, "a persistent id that is not a storage")]
    public void A_malformed_pickle_says_what_is_wrong(byte[] pickle, string message)
    {
        string path = Legacy(pickle);
        Assert.That(() => PyTorchCheckpointReader.Read(path), Throws.TypeOf<InvalidDataException>().With.Message.Contains(message));
    }

    [Test]
    public void A_tensor_reaching_past_its_storage_is_refused()
    {
        // _rebuild_tensor_v2(storage of 2 floats, offset 1, size (2,), stride (1,)) reads element 2 of 2.
        byte[] pickle =
        [
            0x80, 2, .. A("ctorch._utils\n_rebuild_tensor_v2\n"), (byte)'(', (byte)'(',
            .. A("X"), 7, 0, 0, 0, .. A("storage"), .. A("ctorch\nFloatStorage\n"), .. A("X"), 1, 0, 0, 0, .. A("0"),
            .. A("X"), 3, 0, 0, 0, .. A("cpu"), (byte)'K', 2, (byte)'N', (byte)'t', (byte)'Q',
            (byte)'K', 1, (byte)'K', 2, 0x85, (byte)'K', 1, 0x85, 0x89, (byte)'}', (byte)'t', (byte)'R', (byte)'.',
        ];
        string path = Legacy(pickle);
        Assert.That(() => PyTorchCheckpointReader.Read(path), Throws.TypeOf<InvalidDataException>().With.Message.Contains("reads element 2 of storage 0, which holds 2"));
    }
}
