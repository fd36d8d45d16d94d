namespace MoCo.Training.Import;

/// <summary>The container a PyTorch checkpoint came in.</summary>
public enum PyTorchFormat
{
    /// <summary>torch.save's zip archive (PyTorch 1.6 and later): prefix/data.pkl and prefix/data/KEY storages.</summary>
    Zip,
    /// <summary>torch.save's legacy stream (before 1.6, or <c>_use_new_zipfile_serialization=False</c>): magic number,
    /// protocol version and system info pickles, the object pickle, its storage keys, then the raw storages.</summary>
    Legacy,
    /// <summary>A safetensors file (timm, Hugging Face, our own checkpoints).</summary>
    SafeTensors,
}

/// <summary>An object in a PyTorch file that the reader kept inert instead of building it: a call of a global it does
/// not allow (a Lightning hyper-parameters class, an OmegaConf config, argparse.Namespace, a NumPy scalar).</summary>
/// <param name="Path">Where it sits in the file (<c>hyper_parameters</c>, <c>args</c>, <c>state_dict.x</c>).</param>
/// <param name="Global">The global it would have called, as <c>module.name</c>.</param>
public sealed record IgnoredObject(string Path, string Global);

/// <summary>A tensor of a PyTorch file, described: where it sits, its element type and its shape.</summary>
/// <param name="Path">Dotted keys from the top (<c>state_dict.module.encoder_q.conv1.weight</c>).</param>
/// <param name="DType">Its element type as stored.</param>
/// <param name="Shape">Its sizes.</param>
public sealed record PyTorchTensorEntry(string Path, ScalarType DType, IReadOnlyList<long> Shape);

/// <summary>
/// What <see cref="PyTorchCheckpointReader.Read"/> read from a file: the unpickled object tree (no code was run to build
/// it) with its tensors still as PyTorch laid them out, and the objects it left inert.
/// </summary>
public sealed class PyTorchFile
{
    internal PyTorchFile(string path, PyTorchFormat format, object? root)
    {
        Path = path;
        Format = format;
        Root = root;
        var ignored = new List<IgnoredObject>();
        var tensors = new List<(string, PyTorchTensor)>();
        Walk(root, ignored, tensors);
        IgnoredObjects = ignored;
        Tensors = tensors;
    }

    /// <summary>The file read.</summary>
    public string Path { get; }
    /// <summary>Its container format.</summary>
    public PyTorchFormat Format { get; }
    /// <summary>The objects left inert, in file order.</summary>
    public IReadOnlyList<IgnoredObject> IgnoredObjects { get; }
    /// <summary>The top-level keys when the file holds a dict (a checkpoint's <c>epoch</c>, <c>state_dict</c>, …; a bare
    /// state dict's tensor names), else empty.</summary>
    public IReadOnlyList<string> TopLevelKeys => Root is PyDict d ? d.Entries.Select(e => PathKey(e.Key)).ToList() : [];
    /// <summary>A safetensors file's <c>__metadata__</c> (our own checkpoints keep <c>moco.checkpoint_version</c> and
    /// <c>moco.config</c> there); empty for torch.save files.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    /// <summary>How many tensors the file holds.</summary>
    public int TensorCount => Tensors.Count;
    /// <summary>Every tensor's path (dotted keys, [i] for list and tuple items), element type and shape, in file order.</summary>
    public IReadOnlyList<PyTorchTensorEntry> TensorEntries => Tensors.Select(t => new PyTorchTensorEntry(t.path, t.tensor.DType, t.tensor.Shape)).ToList();

    /// <summary>The unpickled value: <see cref="PyDict"/>, <see cref="PyTuple"/>, lists, plain values, <see cref="PyTorchTensor"/>s
    /// and inert <see cref="PyObject"/>s.</summary>
    internal object? Root { get; }
    /// <summary>Every tensor with its path (dotted keys, [i] for list and tuple items), in file order.</summary>
    internal IReadOnlyList<(string path, PyTorchTensor tensor)> Tensors { get; }

    /// <summary>Checkpoints nest a few levels (optimizer → state → 0 → momentum_buffer); a file nested far deeper is
    /// not one, and walking it would build paths quadratic in its depth.</summary>
    private const int MaxDepth = 100;

    private static void Walk(object? root, List<IgnoredObject> ignored, List<(string, PyTorchTensor)> tensors)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<(string path, object? value, int depth)>();
        pending.Push(("", root, 0));
        while (pending.Count > 0)
        {
            var (path, value, depth) = pending.Pop();
            if (depth > MaxDepth) throw new InvalidDataException($"values nested over {MaxDepth} levels deep (at {path[..Math.Min(path.Length, 200)]}…): not a checkpoint");
            switch (value)
            {
                case PyTorchTensor t:
                    tensors.Add((path, t));
                    continue;
                case PyObject o:
                    ignored.Add(new IgnoredObject(path.Length == 0 ? "(top level)" : path, o.Global.FullName));
                    continue;
            }
            if (value is null || !seen.Add(value)) continue;
            // Children go on the stack in reverse so that they come off it in file order.
            switch (value)
            {
                case PyDict d:
                    for (int i = d.Count - 1; i >= 0; i--) pending.Push((Join(path, PathKey(d.Entries[i].Key)), d.Entries[i].Value, depth + 1));
                    break;
                case List<object?> l:
                    for (int i = l.Count - 1; i >= 0; i--) pending.Push((path + "[" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]", l[i], depth + 1));
                    break;
                case PyTuple t:
                    for (int i = t.Count - 1; i >= 0; i--) pending.Push((path + "[" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]", t[i], depth + 1));
                    break;
            }
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    internal static string PathKey(object? key) => key switch
    {
        string s => s,
        null => "None",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => RestrictedUnpickler.Describe(key),
    };
}
