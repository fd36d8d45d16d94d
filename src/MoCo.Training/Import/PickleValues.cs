namespace MoCo.Training.Import;

// The values the restricted unpickler builds. Python's plain values map to .NET ones: None → null, bool, int → long
// (or BigInteger past 64 bits), float → double, str → string, bytes/bytearray → byte[], list → List<object?>; the rest
// are the types below. Nothing here can run code: a global is only its name.

/// <summary>A Python tuple.</summary>
internal sealed class PyTuple(IReadOnlyList<object?> items)
{
    internal static readonly PyTuple Empty = new([]);

    internal IReadOnlyList<object?> Items { get; } = items;
    internal int Count => Items.Count;
    internal object? this[int index] => Items[index];
}

/// <summary>A Python dict (or collections.OrderedDict), in insertion order. Keys compare by value for str, int, bool,
/// None and tuples of those; other keys by reference.</summary>
internal sealed class PyDict
{
    private readonly List<KeyValuePair<object?, object?>> entries = [];
    private readonly Dictionary<PyKey, int> index = [];

    internal PyDict(bool ordered) => IsOrderedDict = ordered;

    /// <summary>Whether Python built it as a collections.OrderedDict (state dicts are).</summary>
    internal bool IsOrderedDict { get; }
    internal int Count => entries.Count;
    internal IReadOnlyList<KeyValuePair<object?, object?>> Entries => entries;

    internal void Set(object? key, object? value)
    {
        var k = new PyKey(key);
        if (index.TryGetValue(k, out int at)) entries[at] = new(key, value);
        else
        {
            index[k] = entries.Count;
            entries.Add(new(key, value));
        }
    }

    internal bool TryGet(string key, out object? value)
    {
        if (index.TryGetValue(new PyKey(key), out int at))
        {
            value = entries[at].Value;
            return true;
        }
        value = null;
        return false;
    }

    private readonly struct PyKey(object? key) : IEquatable<PyKey>
    {
        private readonly object? key = key;

        // Tuples nested deeper than this compare by reference: a hostile pickle can nest a key a million levels deep,
        // and recursion that deep would overflow the stack.
        private const int MaxDepth = 16;

        public bool Equals(PyKey other) => KeyEquals(key, other.key, 0);
        public override bool Equals(object? obj) => obj is PyKey other && Equals(other);
        public override int GetHashCode() => KeyHash(key, 0);

        private static bool KeyEquals(object? a, object? b, int depth) => (a, b) switch
        {
            (null, null) => true,
            (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
            (long x, long y) => x == y,
            (bool x, bool y) => x == y,
            (PyTuple x, PyTuple y) when depth < MaxDepth => x.Count == y.Count && Enumerable.Range(0, x.Count).All(i => KeyEquals(x[i], y[i], depth + 1)),
            _ => ReferenceEquals(a, b) || (a is System.Numerics.BigInteger p && b is System.Numerics.BigInteger q && p == q),
        };

        private static int KeyHash(object? k, int depth) => k switch
        {
            null => 0,
            string s => StringComparer.Ordinal.GetHashCode(s),
            long l => l.GetHashCode(),
            bool b => b.GetHashCode(),
            System.Numerics.BigInteger big => big.GetHashCode(),
            PyTuple t => depth < MaxDepth ? t.Items.Aggregate(17, (h, x) => unchecked((h * 31) + KeyHash(x, depth + 1))) : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(t),
            _ => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(k),
        };
    }
}

/// <summary>A Python set or frozenset (its items in pickle order).</summary>
internal sealed class PySet(bool frozen)
{
    internal bool Frozen { get; } = frozen;
    internal List<object?> Items { get; } = [];
}

/// <summary>A reference to a Python global (module.name), as GLOBAL / STACK_GLOBAL name it. Only a name: never looked up.</summary>
internal sealed record PyGlobal(string Module, string Name)
{
    /// <summary>"module.name", as the messages print it.</summary>
    public string FullName => Module + "." + Name;
    public override string ToString() => FullName;
}

/// <summary>
/// What a pickle would have built by calling a global that the reader does not allow (REDUCE, NEWOBJ, INST, OBJ), kept
/// inert: the global's name, the arguments, and whatever BUILD, APPENDS or SETITEMS then gave it. Nothing was called.
/// </summary>
internal sealed class PyObject(PyGlobal global, PyTuple arguments)
{
    internal PyGlobal Global { get; } = global;
    internal PyTuple Arguments { get; } = arguments;
    internal List<object?> State { get; } = [];
    internal List<object?> ListItems { get; } = [];
    internal List<KeyValuePair<object?, object?>> DictItems { get; } = [];
}
