using MoCo.Training.Serialization;

namespace MoCo.Training.Import;

/// <summary>
/// Reads PyTorch checkpoints without running anything in them: torch.save's zip and legacy containers through a
/// restricted unpickler (only tensor rebuilding, OrderedDict and plain values are built; other objects stay inert and
/// are listed; a file that would run code is refused), and safetensors files.
/// </summary>
public static class PyTorchCheckpointReader
{
    private const int TarMagicOffset = 257;

    /// <summary>Reads <paramref name="path"/>, telling the format by its first bytes.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="UnsafePickleException">Loading the file in Python would run code, or a tensor depends on a global
    /// the reader does not allow; the message names the global.</exception>
    /// <exception cref="InvalidDataException">The file is truncated, corrupt, or not a PyTorch checkpoint.</exception>
    public static PyTorchFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"no such file: {path}", path);
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            Span<byte> head = stackalloc byte[TarMagicOffset + 5];
            int n = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            file.Position = 0;
            if (n == head.Length && head[TarMagicOffset..].SequenceEqual("ustar"u8))
                throw new InvalidDataException("a tar archive: PyTorch's container before 0.4, which this reader does not take; load and re-save it with a recent PyTorch");
            IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
            var (format, root) = Sniff(head[..n], file.Length) switch
            {
                PyTorchFormat.Zip => (PyTorchFormat.Zip, TorchZipFormat.Read(file)),
                PyTorchFormat.Legacy => (PyTorchFormat.Legacy, TorchLegacyFormat.Read(file)),
                _ => (PyTorchFormat.SafeTensors, ReadSafeTensors(file, out metadata)),
            };
            if (root is PyObject top)
                throw new UnsafePickleException(top.Global.FullName,
                    $"refused: the file's object is a call of {top.Global.FullName}, not a checkpoint or state dict; nothing was run");
            if (root is not (PyDict or List<object?> or PyTuple or PyTorchTensor))
                throw new InvalidDataException($"the file holds a {RestrictedUnpickler.Describe(root)}, not a checkpoint or state dict");
            return new PyTorchFile(path, format, root) { Metadata = metadata };
        }
        catch (UnsafePickleException e)
        {
            throw new UnsafePickleException(e.Global, $"{path}: {e.Message}");
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static PyTorchFormat Sniff(ReadOnlySpan<byte> head, long length)
    {
        if (head.StartsWith("PK\x03\x04"u8)) return PyTorchFormat.Zip;
        if (head.Length >= 2 && head[0] == 0x80 && head[1] <= 5) return PyTorchFormat.Legacy;   // PROTO n
        if (head.StartsWith("L119547037146038801333356"u8)) return PyTorchFormat.Legacy;         // protocol 1: the magic number as text
        if (head.Length >= 9 && head[8] == (byte)'{' && System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(head) < (ulong)length)
            return PyTorchFormat.SafeTensors;
        if (length == 0) throw new InvalidDataException("the file is empty, not a PyTorch checkpoint");
        throw new InvalidDataException(
            $"not a PyTorch checkpoint: neither a zip archive (torch.save since PyTorch 1.6), a legacy torch.save pickle nor a safetensors file (it starts with {Convert.ToHexString(head[..Math.Min(4, head.Length)])})");
    }

    /// <summary>A safetensors file as a flat state dict of contiguous tensors.</summary>
    private static PyDict ReadSafeTensors(Stream file, out IReadOnlyDictionary<string, string> metadata)
    {
        using SafeTensors.Contents contents = SafeTensors.Read(file);
        metadata = new Dictionary<string, string>(contents.Metadata, StringComparer.Ordinal);
        var dict = new PyDict(ordered: true);
        foreach (string name in contents.Names)
        {
            Tensor t = contents.Tensors[name];
            long[] shape = t.shape;
            var storage = new PyTorchStorage(name, t.dtype, t.numel(), "cpu");
            var bytes = new byte[storage.ByteLength];
            t.CopyRawTo(bytes);
            storage.SetData(bytes);
            dict.Set(name, new PyTorchTensor(storage, 0, shape, ContiguousStrides(shape), requiresGrad: false));
        }
        return dict;
    }

    internal static long[] ContiguousStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long s = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = s;
            s *= shape[d];
        }
        return strides;
    }
}
