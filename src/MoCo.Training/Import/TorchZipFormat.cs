using System.IO.Compression;

namespace MoCo.Training.Import;

/// <summary>
/// torch.save's zip container (PyTorch 1.6+; torch/serialization.py <c>_save</c>, caffe2's PyTorchStreamWriter): one
/// folder (its name is free: "archive", or the file's stem) holding data.pkl (the object, pickle protocol 2), data/KEY
/// (each storage's raw bytes), version and, since PyTorch 2.1, byteorder ("little" or "big"; older files are little).
/// </summary>
internal static class TorchZipFormat
{
    internal static object? Read(Stream file)
    {
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"a zip archive that cannot be read (truncated or corrupt): {e.Message}", e);
        }
        using (archive)
        {
            var pickles = archive.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1).ToList();
            if (pickles.Count != 1)
                throw new InvalidDataException(pickles.Count == 0
                    ? "a zip archive without a FOLDER/data.pkl entry: not a torch.save file"
                    : $"a zip archive with {pickles.Count} data.pkl entries: not a torch.save file");
            string prefix = pickles[0].FullName[..^"data.pkl".Length];
            if (archive.GetEntry(prefix + "constants.pkl") is not null)
                throw new InvalidDataException("a TorchScript archive (torch.jit.save), not a torch.save checkpoint: save the model's state_dict() with torch.save instead");
            string byteOrder = ReadText(archive.GetEntry(prefix + "byteorder")) ?? "little";
            if (byteOrder is not ("little" or "big")) throw new InvalidDataException($"the archive's byteorder is '{byteOrder}', neither little nor big");
            bool bigEndian = byteOrder == "big";

            var storages = new Dictionary<string, PyTorchStorage>(StringComparer.Ordinal);
            object? Load(object? pid)
            {
                var id = StoragePersistentId.Parse(pid);
                if (storages.TryGetValue(id.Key, out PyTorchStorage? known)) return known;
                var storage = new PyTorchStorage(id.Key, id.DType, id.Numel, id.Location);
                ZipArchiveEntry entry = archive.GetEntry(prefix + "data/" + id.Key)
                    ?? throw new InvalidDataException($"storage {id.Key} is missing from the archive (no {prefix}data/{id.Key})");
                if (entry.Length != storage.ByteLength)
                    throw new InvalidDataException($"storage {id.Key} holds {entry.Length} bytes, {id.Numel} × {id.DType} need {storage.ByteLength}");
                storage.SetData(ReadEntry(entry, bigEndian ? id.DType.ElementSize() : 1));
                storages[id.Key] = storage;
                return storage;
            }

            using var pickle = new MemoryStream(ReadEntry(pickles[0], 1), writable: false);
            return new RestrictedUnpickler(pickle, Load).Load();
        }
    }

    private static string? ReadText(ZipArchiveEntry? entry) =>
        entry is null ? null : System.Text.Encoding.ASCII.GetString(ReadEntry(entry, 1)).Trim();

    /// <summary>The entry's bytes; <paramref name="swapElementSize"/> &gt; 1 reverses each element (big-endian files).</summary>
    private static byte[] ReadEntry(ZipArchiveEntry entry, int swapElementSize)
    {
        if (entry.Length > Array.MaxLength) throw new InvalidDataException($"{entry.FullName} holds {entry.Length} bytes, over the 2 GiB this reader takes per storage");
        var bytes = new byte[entry.Length];
        try
        {
            using Stream s = entry.Open();
            s.ReadExactly(bytes);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        {
            throw new InvalidDataException($"{entry.FullName} cannot be read (truncated or corrupt archive): {e.Message}", e);
        }
        if (swapElementSize > 1)
        {
            for (int i = 0; i + swapElementSize <= bytes.Length; i += swapElementSize) Array.Reverse(bytes, i, swapElementSize);
        }
        return bytes;
    }
}
