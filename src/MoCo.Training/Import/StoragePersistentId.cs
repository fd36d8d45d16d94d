namespace MoCo.Training.Import;

/// <summary>
/// torch.save's persistent id for a storage, the tuple its pickler writes in place of the bytes
/// (torch/serialization.py): zip <c>('storage', storage_type, key, location, numel)</c>; legacy
/// <c>('storage', storage_type, root_key, location, numel, view_metadata)</c> with view_metadata None or
/// <c>(view_key, offset, view_size)</c>. storage_type is a global such as torch.FloatStorage or torch.cuda.HalfStorage.
/// </summary>
internal sealed record StoragePersistentId(ScalarType DType, string Key, string Location, long Numel, (string key, long offset, long size)? View)
{
    internal static StoragePersistentId Parse(object? pid)
    {
        if (pid is not PyTuple t || t.Count < 5 || t[0] is not "storage")
            throw new InvalidDataException($"a persistent id that is not a storage ({RestrictedUnpickler.Describe(pid)}): not a torch.save file");
        if (t[1] is PyObject inert)
            throw new UnsafePickleException(inert.Global.FullName, $"refused: a storage's type is built by calling {inert.Global.FullName}; nothing was run");
        if (!PickleGlobals.TryStorageType(t[1], out ScalarType dtype))
            throw new InvalidDataException($"unsupported storage type {RestrictedUnpickler.Describe(t[1])} (supported: torch.FloatStorage, DoubleStorage, HalfStorage, BFloat16Storage, LongStorage, IntStorage, ShortStorage, CharStorage, ByteStorage, BoolStorage)");
        if (t[2] is not string key) throw new InvalidDataException($"a storage key is a {RestrictedUnpickler.Describe(t[2])}, not a string");
        string location = t[3] as string ?? "cpu";
        if (t[4] is not long numel || numel < 0) throw new InvalidDataException($"storage {key} has a size of {RestrictedUnpickler.Describe(t[4])}");
        (string, long, long)? view = null;
        if (t.Count > 5 && t[5] is PyTuple v)
        {
            if (v.Count != 3 || v[0] is not string viewKey || v[1] is not long offset || v[2] is not long size)
                throw new InvalidDataException($"storage {key} has malformed view metadata");
            view = (viewKey, offset, size);
        }
        return new StoragePersistentId(dtype, key, location, numel, view);
    }
}
