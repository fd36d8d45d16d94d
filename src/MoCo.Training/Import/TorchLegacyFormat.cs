using System.Buffers.Binary;
using System.Numerics;

namespace MoCo.Training.Import;

/// <summary>
/// torch.save's legacy stream (torch/serialization.py <c>_legacy_save</c>, every PyTorch before 1.6 and
/// <c>_use_new_zipfile_serialization=False</c> since): the pickles of the magic number 0x1950a86a20f9469cfc6c, the
/// protocol version 1001 and a system-info dict, then the object's pickle, then the pickled list of storage keys, then
/// per key in that order the storage's element count (int64, little-endian) and its raw little-endian bytes.
/// </summary>
internal static class TorchLegacyFormat
{
    private static readonly BigInteger MagicNumber = BigInteger.Parse("119547037146038801333356", System.Globalization.CultureInfo.InvariantCulture);
    private const long ProtocolVersion = 1001;

    internal static object? Read(Stream file)
    {
        object? magic = Unpickle(file, NoPersistentIds);
        if (!(magic is BigInteger m && m == MagicNumber))
            throw new InvalidDataException("a pickle, but not a torch.save file (its first value is not PyTorch's magic number)");
        object? protocol = Unpickle(file, NoPersistentIds);
        if (protocol is not ProtocolVersion)
            throw new InvalidDataException($"a legacy torch.save file of protocol {RestrictedUnpickler.Describe(protocol)} {protocol}; this reader knows {ProtocolVersion}");
        Unpickle(file, NoPersistentIds);   // system info: byte order and C type sizes; the storages are little-endian whatever it says

        var roots = new Dictionary<string, PyTorchStorage>(StringComparer.Ordinal);
        var views = new Dictionary<string, PyTorchStorage>(StringComparer.Ordinal);
        object? Load(object? pid)
        {
            if (pid is PyTuple { Count: > 1 } t && t[0] is "module") return t[1];   // a whole-model save's class: stays a name
            var id = StoragePersistentId.Parse(pid);
            if (!roots.TryGetValue(id.Key, out PyTorchStorage? root))
            {
                root = new PyTorchStorage(id.Key, id.DType, id.Numel, id.Location);
                roots[id.Key] = root;
            }
            else if (root.DType != id.DType)
                throw new InvalidDataException($"storage {id.Key} is read as both {root.DType} and {id.DType}");
            if (id.View is not { } v) return root;
            if (!views.TryGetValue(v.key, out PyTorchStorage? view))
            {
                view = root.View(v.key, v.offset, v.size);
                views[v.key] = view;
            }
            return view;
        }

        object? root = Unpickle(file, Load);
        object? keys = Unpickle(file, NoPersistentIds);
        if (keys is not List<object?> keyList || keyList.Any(k => k is not string))
            throw new InvalidDataException("the legacy file's storage key list is missing or malformed");
        Span<byte> count = stackalloc byte[8];
        foreach (string key in keyList.Cast<string>())
        {
            if (!roots.TryGetValue(key, out PyTorchStorage? storage))
                throw new InvalidDataException($"the legacy file lists storage {key}, which no tensor uses");
            if (file.Read(count) < 8) throw Truncated(key);
            long numel = BinaryPrimitives.ReadInt64LittleEndian(count);
            if (numel != storage.Numel)
                throw new InvalidDataException($"storage {key} is recorded with {numel} elements, its tensors expect {storage.Numel}");
            if (storage.ByteLength > file.Length - file.Position) throw Truncated(key);
            if (storage.ByteLength > Array.MaxLength) throw new InvalidDataException($"storage {key} holds {storage.ByteLength} bytes, over the 2 GiB this reader takes per storage");
            var bytes = new byte[storage.ByteLength];
            file.ReadExactly(bytes);
            storage.SetData(bytes);
        }
        var unread = roots.Values.FirstOrDefault(s => !s.IsLoaded);
        if (unread is not null) throw new InvalidDataException($"storage {unread.Key} is used by a tensor but missing from the file");
        return root;
    }

    private static object? Unpickle(Stream file, Func<object?, object?> persistentLoad) => new RestrictedUnpickler(file, persistentLoad).Load();

    private static object? NoPersistentIds(object? pid) =>
        throw new InvalidDataException("a persistent id outside the object pickle: not a torch.save file");

    private static InvalidDataException Truncated(string key) => new($"the file ends inside storage {key} (truncated file)");
}
