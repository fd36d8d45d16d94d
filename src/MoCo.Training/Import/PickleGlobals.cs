namespace MoCo.Training.Import;

/// <summary>The globals a state dict needs, which the reader implements itself (it never imports or calls Python).</summary>
internal enum AllowedGlobal
{
    /// <summary>Not allowed: calls of it stay inert <see cref="PyObject"/>s.</summary>
    None,
    /// <summary>torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata]).</summary>
    RebuildTensorV2,
    /// <summary>torch._utils._rebuild_tensor(storage, offset, size, stride) (files before PyTorch 1.0).</summary>
    RebuildTensor,
    /// <summary>torch._utils._rebuild_parameter(data, requires_grad, hooks).</summary>
    RebuildParameter,
    /// <summary>torch._utils._rebuild_parameter_with_state(data, requires_grad, hooks, state) (PyTorch 2).</summary>
    RebuildParameterWithState,
    /// <summary>collections.OrderedDict().</summary>
    OrderedDict,
    /// <summary>_codecs.encode(str, 'latin1'): how protocol 2 writes Python 3 bytes.</summary>
    CodecsEncode,
    /// <summary>builtins.set(list).</summary>
    Set,
    /// <summary>builtins.frozenset(list).</summary>
    FrozenSet,
    /// <summary>builtins.bytearray(str, 'latin-1') or bytearray(bytes).</summary>
    ByteArray,
    /// <summary>torch.FloatStorage and kin: only a storage type tag inside a persistent id, never called.</summary>
    StorageType,
}

/// <summary>
/// Which globals a pickle may name. Allowed ones are implemented here in C#; every other global is only a name, and a
/// call of it becomes an inert <see cref="PyObject"/>. Globals that exist to run code, touch files or processes
/// (os.system, builtins.eval, subprocess.Popen, …) are refused outright wherever they appear: no state dict names
/// them, so a file that does is hostile, and saying so beats listing it among ignored objects.
/// </summary>
internal static class PickleGlobals
{
    /// <summary>The allowed builtins, by name (declared before <see cref="Allowed"/>, whose initialiser reads it).</summary>
    private static readonly (string Name, AllowedGlobal Global)[] AllowedBuiltins =
        [("set", AllowedGlobal.Set), ("frozenset", AllowedGlobal.FrozenSet), ("bytearray", AllowedGlobal.ByteArray)];

    private static readonly Dictionary<(string, string), AllowedGlobal> Allowed = WithBuiltins(new()
    {
        [("torch._utils", "_rebuild_tensor_v2")] = AllowedGlobal.RebuildTensorV2,
        [("torch._utils", "_rebuild_tensor")] = AllowedGlobal.RebuildTensor,
        [("torch._utils", "_rebuild_parameter")] = AllowedGlobal.RebuildParameter,
        [("torch._utils", "_rebuild_parameter_with_state")] = AllowedGlobal.RebuildParameterWithState,
        [("collections", "OrderedDict")] = AllowedGlobal.OrderedDict,
        [("_codecs", "encode")] = AllowedGlobal.CodecsEncode,
    });

    /// <summary><paramref name="allowed"/> with <see cref="AllowedBuiltins"/> under both module names: Python 3's
    /// builtins and Python 2's __builtin__ (a protocol 3+ pickle keeps the name it was written with).</summary>
    private static Dictionary<(string, string), AllowedGlobal> WithBuiltins(Dictionary<(string, string), AllowedGlobal> allowed)
    {
        foreach (string module in (string[])["builtins", "__builtin__"])
        {
            foreach (var (name, global) in AllowedBuiltins) allowed[(module, name)] = global;
        }

        return allowed;
    }

    /// <summary>Storage type names (torch.X, torch.cuda.X) and their element types (torch/storage.py).</summary>
    private static readonly Dictionary<string, ScalarType> StorageTypes = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = ScalarType.Float32,
        ["DoubleStorage"] = ScalarType.Float64,
        ["HalfStorage"] = ScalarType.Float16,
        ["BFloat16Storage"] = ScalarType.BFloat16,
        ["LongStorage"] = ScalarType.Int64,
        ["IntStorage"] = ScalarType.Int32,
        ["ShortStorage"] = ScalarType.Int16,
        ["CharStorage"] = ScalarType.Int8,
        ["ByteStorage"] = ScalarType.Byte,
        ["BoolStorage"] = ScalarType.Bool,
        ["UntypedStorage"] = ScalarType.Byte,
    };

    /// <summary>Modules whose globals run code, spawn processes or touch the file system or network.</summary>
    private static readonly HashSet<string> RefusedModules = new(StringComparer.Ordinal)
    {
        "os", "posix", "nt", "subprocess", "sys", "builtins", "__builtin__", "shutil", "socket", "importlib", "runpy",
        "pty", "pickle", "_pickle", "cPickle", "marshal", "ctypes", "code", "codeop", "pdb", "bdb", "timeit",
        "webbrowser", "multiprocessing", "asyncio", "platform", "commands", "popen2", "signal", "tempfile", "glob",
        "urllib", "http", "ftplib", "smtplib", "telnetlib", "cProfile", "profile", "trace", "doctest", "pydoc", "dill",
    };

    /// <summary>Single globals that load or run other code.</summary>
    private static readonly HashSet<string> RefusedNames = new(StringComparer.Ordinal)
    {
        "torch.load", "torch.hub.load", "torch.jit.load", "numpy.load", "numpy.lib.npyio.load", "torch.serialization.load",
    };

    /// <summary>The part of CPython's Lib/_compat_pickle.py that matters here: Python 2 modules and names that Python 3
    /// unpickles as other ones (protocol 2 pickles write them: builtins as __builtin__, subprocess as commands).</summary>
    private static readonly Dictionary<string, string> Python2Modules = new(StringComparer.Ordinal)
    {
        ["__builtin__"] = "builtins", ["exceptions"] = "builtins", ["commands"] = "subprocess", ["copy_reg"] = "copyreg",
        ["cPickle"] = "pickle", ["UserDict"] = "collections", ["UserList"] = "collections", ["UserString"] = "collections",
        ["thread"] = "_thread", ["Queue"] = "queue", ["SocketServer"] = "socketserver", ["urllib2"] = "urllib.request",
        ["httplib"] = "http.client", ["cStringIO"] = "io", ["StringIO"] = "io", ["_winreg"] = "winreg",
    };

    private static readonly Dictionary<(string, string), (string, string)> Python2Names = new()
    {
        [("__builtin__", "xrange")] = ("builtins", "range"),
        [("__builtin__", "unicode")] = ("builtins", "str"),
        [("__builtin__", "basestring")] = ("builtins", "str"),
        [("__builtin__", "long")] = ("builtins", "int"),
        [("__builtin__", "reduce")] = ("functools", "reduce"),
        [("__builtin__", "intern")] = ("sys", "intern"),
        [("__builtin__", "raw_input")] = ("builtins", "input"),
        [("__builtin__", "execfile")] = ("builtins", "exec"),
        [("itertools", "izip")] = ("builtins", "zip"),
        [("itertools", "imap")] = ("builtins", "map"),
        [("UserDict", "IterableUserDict")] = ("collections", "UserDict"),
        [("os", "getcwdu")] = ("os", "getcwd"),
    };

    internal static PyGlobal FixImports(string module, string name)
    {
        if (Python2Names.TryGetValue((module, name), out var renamed)) return new PyGlobal(renamed.Item1, renamed.Item2);
        return new PyGlobal(Python2Modules.TryGetValue(module, out string? m) ? m : module, name);
    }

    internal static AllowedGlobal Classify(PyGlobal global)
    {
        if (Allowed.TryGetValue((global.Module, global.Name), out AllowedGlobal a)) return a;
        return global.Module is "torch" or "torch.cuda" && StorageTypes.ContainsKey(global.Name) ? AllowedGlobal.StorageType : AllowedGlobal.None;
    }

    /// <summary>Whether naming <paramref name="global"/> at all makes the file hostile.</summary>
    internal static bool IsRefused(PyGlobal global)
    {
        if (Classify(global) != AllowedGlobal.None) return false;
        if (RefusedNames.Contains(global.FullName)) return true;
        string module = global.Module;
        int dot = module.IndexOf('.', StringComparison.Ordinal);
        return RefusedModules.Contains(dot < 0 ? module : module[..dot]);
    }

    /// <summary>The element type of a storage type global (torch.FloatStorage → Float32).</summary>
    internal static bool TryStorageType(object? value, out ScalarType dtype)
    {
        dtype = default;
        return value is PyGlobal g && Classify(g) == AllowedGlobal.StorageType && StorageTypes.TryGetValue(g.Name, out dtype);
    }
}
