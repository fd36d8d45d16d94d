using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace MoCo.Training.Import;

/// <summary>
/// A pickle virtual machine (protocols 0–5, the opcodes of CPython's Lib/pickle.py) that never imports or calls
/// anything. A global is only a name (<see cref="PyGlobal"/>); the few a state dict needs (<see cref="PickleGlobals"/>)
/// are implemented here; a call of any other global becomes an inert <see cref="PyObject"/>, and a global that exists
/// to run code is refused on sight. Tensors are built from the storages that <c>persistentLoad</c> returns.
/// Reads exactly up to the STOP opcode, so the legacy format's next pickle or storage starts where it leaves the stream.
/// </summary>
internal sealed class RestrictedUnpickler
{
    private const int MaxLineBytes = 1 << 20;
    private const int HighestProtocol = 5;

    private readonly Stream stream;
    private readonly Func<object?, object?> persistentLoad;
    private readonly List<object?> stack = [];
    private readonly List<int> marks = [];
    private readonly Dictionary<long, object?> memo = [];
    private int protocol;

    /// <param name="stream">A seekable stream positioned at the pickle.</param>
    /// <param name="persistentLoad">Turns a persistent id (a <see cref="PyTuple"/> for torch.save) into a storage.</param>
    internal RestrictedUnpickler(Stream stream, Func<object?, object?> persistentLoad)
    {
        if (!stream.CanSeek) throw new ArgumentException("the unpickler needs a seekable stream", nameof(stream));
        this.stream = stream;
        this.persistentLoad = persistentLoad;
    }

    /// <summary>Reads one pickle and returns its value.</summary>
    /// <exception cref="UnsafePickleException">The pickle names a refused global, or a tensor depends on a call of a
    /// global that is not allowed.</exception>
    /// <exception cref="InvalidDataException">The pickle is truncated or malformed.</exception>
    internal object? Load()
    {
        while (true)
        {
            long at = stream.Position;
            int op = stream.ReadByte();
            if (op < 0) throw new InvalidDataException($"the pickle ends at byte {at} before its STOP opcode (truncated file)");
            try
            {
                if (Step((byte)op)) return Pop();
            }
            catch (Exception e) when (e is InvalidCastException or ArgumentException or FormatException or OverflowException)
            {
                throw new InvalidDataException($"malformed pickle at byte {at} (opcode 0x{op:x2}): {e.Message}", e);
            }
        }
    }

    private bool Step(byte op)
    {
        switch (op)
        {
            case 0x80: // PROTO
                protocol = ReadByte();
                if (protocol > HighestProtocol) throw new InvalidDataException($"pickle protocol {protocol} is newer than {HighestProtocol}, the newest this reader knows");
                break;
            case 0x95: ReadBytes(8); break; // FRAME: a length hint only
            case (byte)'.': return true; // STOP
            case (byte)'(': marks.Add(stack.Count); break; // MARK
            case (byte)'0': Pop(); break; // POP
            case (byte)'1': PopMark(); break; // POP_MARK
            case (byte)'2': Push(Peek()); break; // DUP

            case (byte)'N': Push(null); break;
            case 0x88: Push(true); break; // NEWTRUE
            case 0x89: Push(false); break; // NEWFALSE
            case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break; // BININT
            case (byte)'K': Push((long)ReadByte()); break; // BININT1
            case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
            case 0x8a: Push(ReadLong(ReadByte())); break; // LONG1
            case 0x8b: Push(ReadLong(ReadLength(4))); break; // LONG4
            case (byte)'I': Push(PickleText.IntLine(ReadLine())); break; // INT
            case (byte)'L': Push(PickleText.LongLine(ReadLine())); break; // LONG
            case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break; // BINFLOAT
            case (byte)'F': Push(double.Parse(ReadLine(), NumberStyles.Float, CultureInfo.InvariantCulture)); break; // FLOAT

            case (byte)'X': Push(PickleText.Utf8(ReadBytes(ReadLength(4)))); break; // BINUNICODE
            case 0x8c: Push(PickleText.Utf8(ReadBytes(ReadByte()))); break; // SHORT_BINUNICODE
            case 0x8d: Push(PickleText.Utf8(ReadBytes(ReadLength(8)))); break; // BINUNICODE8
            case (byte)'V': Push(PickleText.RawUnicodeEscape(ReadLine())); break; // UNICODE
            case (byte)'T': Push(PickleText.Latin1(ReadBytes(ReadLength(4)))); break; // BINSTRING (Python 2 str, read as text)
            case (byte)'U': Push(PickleText.Latin1(ReadBytes(ReadByte()))); break; // SHORT_BINSTRING
            case (byte)'S': Push(PickleText.PythonStringLiteral(ReadLine())); break; // STRING
            case (byte)'B': Push(ReadBytes(ReadLength(4))); break; // BINBYTES
            case (byte)'C': Push(ReadBytes(ReadByte())); break; // SHORT_BINBYTES
            case 0x8e: Push(ReadBytes(ReadLength(8))); break; // BINBYTES8
            case 0x96: Push(ReadBytes(ReadLength(8))); break; // BYTEARRAY8
            case 0x97 or 0x98: throw new InvalidDataException("the pickle uses out-of-band buffers (protocol 5 NEXT_BUFFER), which torch.save never writes");

            case (byte)')': Push(PyTuple.Empty); break; // EMPTY_TUPLE
            case 0x85: Push(new PyTuple([Pop()])); break; // TUPLE1
            case 0x86: { object? b = Pop(), a = Pop(); Push(new PyTuple([a, b])); break; } // TUPLE2
            case 0x87: { object? c = Pop(), b = Pop(), a = Pop(); Push(new PyTuple([a, b, c])); break; } // TUPLE3
            case (byte)'t': Push(new PyTuple(PopMark())); break; // TUPLE
            case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
            case (byte)'l': Push(PopMark()); break; // LIST
            case (byte)'}': Push(new PyDict(ordered: false)); break; // EMPTY_DICT
            case (byte)'d': Push(DictOf(PopMark())); break; // DICT
            case 0x8f: Push(new PySet(frozen: false)); break; // EMPTY_SET
            case 0x91: { var set = new PySet(frozen: true); set.Items.AddRange(PopMark()); Push(set); break; } // FROZENSET

            case (byte)'a': { object? item = Pop(); Append(Peek(), [item]); break; } // APPEND
            case (byte)'e': { var items = PopMark(); Append(Peek(), items); break; } // APPENDS
            case (byte)'s': { object? v = Pop(), k = Pop(); SetItems(Peek(), [new(k, v)]); break; } // SETITEM
            case (byte)'u': { var items = PopMark(); SetItems(Peek(), Pairs(items)); break; } // SETITEMS
            case 0x90: { var items = PopMark(); AddItems(Peek(), items); break; } // ADDITEMS
            case (byte)'b': { object? state = Pop(); Build(Peek(), state); break; } // BUILD

            case (byte)'p': memo[PickleText.MemoIndex(ReadLine())] = Peek(); break; // PUT
            case (byte)'q': memo[ReadByte()] = Peek(); break; // BINPUT
            case (byte)'r': memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek(); break; // LONG_BINPUT
            case 0x94: memo[memo.Count] = Peek(); break; // MEMOIZE
            case (byte)'g': Push(Memo(PickleText.MemoIndex(ReadLine()))); break; // GET
            case (byte)'h': Push(Memo(ReadByte())); break; // BINGET
            case (byte)'j': Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break; // LONG_BINGET

            case (byte)'c': Push(Global(ReadLine(), ReadLine())); break; // GLOBAL
            case 0x93: { string name = AsString(Pop(), "STACK_GLOBAL name"), module = AsString(Pop(), "STACK_GLOBAL module"); Push(Global(module, name)); break; }
            case 0x82 or 0x83 or 0x84: throw new InvalidDataException("the pickle uses the copyreg extension registry (EXT1/2/4), which torch.save never writes");
            case (byte)'R': { var args = AsTuple(Pop(), "REDUCE arguments"); Push(Call(Pop(), args)); break; } // REDUCE
            case 0x81: { var args = AsTuple(Pop(), "NEWOBJ arguments"); Push(New(Pop(), args)); break; } // NEWOBJ
            case 0x92: { Pop(); var args = AsTuple(Pop(), "NEWOBJ_EX arguments"); Push(New(Pop(), args)); break; } // NEWOBJ_EX (kwargs kept out)
            case (byte)'i': { var g = Global(ReadLine(), ReadLine()); Push(New(g, new PyTuple(PopMark()))); break; } // INST
            case (byte)'o': { var items = PopMark(); if (items.Count == 0) throw new InvalidDataException("OBJ without a class"); Push(New(items[0], new PyTuple(items.Skip(1).ToList()))); break; }

            case (byte)'Q': Push(persistentLoad(Pop())); break; // BINPERSID
            case (byte)'P': Push(persistentLoad(ReadLine())); break; // PERSID
            default: throw new InvalidDataException($"unknown pickle opcode 0x{op:x2} at byte {stream.Position - 1}: not a pickle, or a corrupt one");
        }
        return false;
    }

    // ---- calls: only the allowed globals do anything; the rest stay inert ----

    /// <summary>The global as Python would look it up: below protocol 3 its unpickler maps Python 2 names to Python 3
    /// ones first (fix_imports: __builtin__.eval is builtins.eval, commands.Popen is subprocess.Popen).</summary>
    private PyGlobal Global(string module, string name)
    {
        var global = protocol < 3 ? PickleGlobals.FixImports(module, name) : new PyGlobal(module, name);
        if (PickleGlobals.IsRefused(global))
            throw new UnsafePickleException(global.FullName,
                $"refused: the file refers to {global.FullName}, which loading it in Python would call to run code; nothing was run");
        return global;
    }

    private object? Call(object? callable, PyTuple args)
    {
        if (callable is not PyGlobal g)
            throw new InvalidDataException($"the pickle calls a {Describe(callable)}, not a global: torch.save never writes that");
        AllowedGlobal kind = PickleGlobals.Classify(g);
        if (kind is not (AllowedGlobal.None or AllowedGlobal.StorageType)) RefuseInertArguments(g, args);
        return kind switch
        {
            AllowedGlobal.RebuildTensorV2 or AllowedGlobal.RebuildTensor => RebuildTensor(g, args),
            AllowedGlobal.RebuildParameter or AllowedGlobal.RebuildParameterWithState => RebuildParameter(g, args),
            AllowedGlobal.OrderedDict => OrderedDictOf(args),
            AllowedGlobal.CodecsEncode => Encode(args),
            AllowedGlobal.Set or AllowedGlobal.FrozenSet => SetOf(kind == AllowedGlobal.FrozenSet, args),
            AllowedGlobal.ByteArray => args.Count == 0 ? Array.Empty<byte>() : args[0] is byte[] b ? (byte[])b.Clone() : Encode(args),
            _ => new PyObject(g, args),
        };
    }

    private static object New(object? cls, PyTuple args)
    {
        if (cls is not PyGlobal g) throw new InvalidDataException($"the pickle instantiates a {Describe(cls)}, not a class");
        return PickleGlobals.Classify(g) == AllowedGlobal.OrderedDict ? new PyDict(ordered: true) : new PyObject(g, args);
    }

    /// <summary>A tensor (or other allowed value) never depends on an inert call: its construction would have run that global.</summary>
    private static void RefuseInertArguments(PyGlobal callee, PyTuple args)
    {
        foreach (object? a in args.Items)
        {
            PyObject? inert = a switch
            {
                PyObject o => o,
                PyTuple t => t.Items.OfType<PyObject>().FirstOrDefault(),
                List<object?> l => l.OfType<PyObject>().FirstOrDefault(),
                _ => null,
            };
            if (inert is not null)
                throw new UnsafePickleException(inert.Global.FullName,
                    $"refused: {callee.FullName} would take a value built by calling {inert.Global.FullName}, which this reader never calls; nothing was run");
        }
    }

    private static PyTorchTensor RebuildTensor(PyGlobal g, PyTuple args)
    {
        if (args.Count < 4) throw new InvalidDataException($"{g.FullName} takes at least 4 arguments, the pickle gives {args.Count}");
        if (args[0] is not PyTorchStorage storage) throw new InvalidDataException($"{g.FullName}'s storage is a {Describe(args[0])}, not a storage");
        long offset = AsLong(args[1], "storage offset");
        long[] shape = AsLongs(args[2], "size");
        long[] stride = AsLongs(args[3], "stride");
        bool requiresGrad = args.Count > 4 && args[4] is true;
        return new PyTorchTensor(storage, offset, shape, stride, requiresGrad);
    }

    private static PyTorchTensor RebuildParameter(PyGlobal g, PyTuple args)
    {
        if (args.Count < 1 || args[0] is not PyTorchTensor data) throw new InvalidDataException($"{g.FullName} needs a tensor as its first argument");
        return new PyTorchTensor(data.Storage, data.StorageOffset, data.Shape, data.Stride, args.Count > 1 && args[1] is true) { IsParameter = true };
    }

    private static PyDict OrderedDictOf(PyTuple args)
    {
        var dict = new PyDict(ordered: true);
        if (args.Count > 0 && args[0] is List<object?> pairs)   // OrderedDict([[k, v], ...]) from Python 2-era pickles
        {
            foreach (object? p in pairs)
            {
                var kv = p switch { PyTuple t => t.Items, List<object?> l => l, _ => null };
                if (kv is not { Count: 2 }) throw new InvalidDataException("OrderedDict's items are not key-value pairs");
                dict.Set(kv[0], kv[1]);
            }
        }
        return dict;
    }

    private static byte[] Encode(PyTuple args)
    {
        if (args.Count < 1 || args[0] is not string text) throw new InvalidDataException("_codecs.encode needs a string");
        string encoding = args.Count > 1 && args[1] is string e ? e.ToLowerInvariant().Replace('_', '-') : "utf-8";
        return encoding switch
        {
            "latin1" or "latin-1" or "iso-8859-1" => Encoding.Latin1.GetBytes(text),
            "utf-8" or "utf8" => Encoding.UTF8.GetBytes(text),
            "ascii" => Encoding.ASCII.GetBytes(text),
            _ => throw new InvalidDataException($"_codecs.encode with encoding '{encoding}', which torch.save never writes"),
        };
    }

    private static PySet SetOf(bool frozen, PyTuple args)
    {
        var set = new PySet(frozen);
        if (args.Count > 0 && args[0] is List<object?> items) set.Items.AddRange(items);
        return set;
    }

    // ---- containers ----

    private static void Append(object? target, IReadOnlyList<object?> items)
    {
        switch (target)
        {
            case List<object?> list: list.AddRange(items); break;
            case PyObject o: o.ListItems.AddRange(items); break;
            default: throw new InvalidDataException($"APPEND to a {Describe(target)}");
        }
    }

    private static void SetItems(object? target, IEnumerable<KeyValuePair<object?, object?>> items)
    {
        switch (target)
        {
            case PyDict dict: foreach (var (k, v) in items) dict.Set(k, v); break;
            case PyObject o: o.DictItems.AddRange(items); break;
            default: throw new InvalidDataException($"SETITEM on a {Describe(target)}");
        }
    }

    private static void AddItems(object? target, IReadOnlyList<object?> items)
    {
        switch (target)
        {
            case PySet set: set.Items.AddRange(items); break;
            case PyObject o: o.ListItems.AddRange(items); break;
            default: throw new InvalidDataException($"ADDITEMS on a {Describe(target)}");
        }
    }

    /// <summary>BUILD: an inert object keeps its state; a dict's or tensor's attributes (a state dict's _metadata) are
    /// not needed and are dropped, as nothing reads them.</summary>
    private static void Build(object? target, object? state)
    {
        switch (target)
        {
            case PyObject o: o.State.Add(state); break;
            case PyDict or PyTorchTensor or PySet: break;
            default: throw new InvalidDataException($"BUILD on a {Describe(target)}");
        }
    }

    private static PyDict DictOf(IReadOnlyList<object?> items)
    {
        var dict = new PyDict(ordered: false);
        foreach (var (k, v) in Pairs(items)) dict.Set(k, v);
        return dict;
    }

    private static IEnumerable<KeyValuePair<object?, object?>> Pairs(IReadOnlyList<object?> items)
    {
        if (items.Count % 2 != 0) throw new InvalidDataException("SETITEMS with an odd number of items");
        for (int i = 0; i < items.Count; i += 2) yield return new(items[i], items[i + 1]);
    }

    // ---- the stack and memo ----

    private void Push(object? value) => stack.Add(value);

    private object? Peek() => stack.Count > 0 && (marks.Count == 0 || marks[^1] < stack.Count)
        ? stack[^1]
        : throw new InvalidDataException("the pickle reads from an empty stack");

    private object? Pop()
    {
        object? v = Peek();
        stack.RemoveAt(stack.Count - 1);
        return v;
    }

    private List<object?> PopMark()
    {
        if (marks.Count == 0) throw new InvalidDataException("the pickle pops a MARK it never set");
        int at = marks[^1];
        marks.RemoveAt(marks.Count - 1);
        var items = stack.GetRange(at, stack.Count - at);
        stack.RemoveRange(at, stack.Count - at);
        return items;
    }

    private object? Memo(long index) =>
        memo.TryGetValue(index, out object? v) ? v : throw new InvalidDataException($"the pickle reads memo entry {index}, which it never stored");

    // ---- reading ----

    private int ReadByte()
    {
        int b = stream.ReadByte();
        return b >= 0 ? b : throw Truncated();
    }

    private int ReadLength(int bytes)
    {
        byte[] raw = ReadBytes(bytes);
        ulong n = bytes == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(raw) : BinaryPrimitives.ReadUInt64LittleEndian(raw);
        if (n > (ulong)(stream.Length - stream.Position)) throw Truncated();
        if (n > (ulong)Array.MaxLength) throw new InvalidDataException($"a pickled value of {n} bytes is too large");
        return (int)n;
    }

    private byte[] ReadBytes(int count)
    {
        if (count > stream.Length - stream.Position) throw Truncated();
        var bytes = new byte[count];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private string ReadLine()
    {
        var line = new List<byte>();
        while (true)
        {
            int b = ReadByte();
            if (b == '\n') return Encoding.UTF8.GetString([.. line]);
            if (line.Count >= MaxLineBytes) throw new InvalidDataException("a text opcode's line runs over 1 MiB");
            line.Add((byte)b);
        }
    }

    private InvalidDataException Truncated() => new($"the pickle ends at byte {stream.Position} in the middle of a value (truncated file)");

    private object ReadLong(int count) => PickleText.Long(ReadBytes(count));

    // ---- conversions ----

    private static PyTuple AsTuple(object? v, string what) => v as PyTuple ?? throw new InvalidDataException($"the {what} are a {Describe(v)}, not a tuple");

    private static string AsString(object? v, string what) => v as string ?? throw new InvalidDataException($"the {what} is a {Describe(v)}, not a string");

    private static long AsLong(object? v, string what) => v is long l ? l : throw new InvalidDataException($"the tensor's {what} is a {Describe(v)}, not an int");

    private static long[] AsLongs(object? v, string what) => v switch
    {
        PyTuple t => t.Items.Select(x => AsLong(x, what)).ToArray(),
        List<object?> l => l.Select(x => AsLong(x, what)).ToArray(),
        _ => throw new InvalidDataException($"the tensor's {what} is a {Describe(v)}, not a tuple"),
    };

    /// <summary>What a value is, in Python's words, for messages.</summary>
    internal static string Describe(object? v) => v switch
    {
        null => "None",
        bool => "bool",
        long or BigInteger => "int",
        double => "float",
        string => "str",
        byte[] => "bytes",
        PyTuple => "tuple",
        List<object?> => "list",
        PyDict d => d.IsOrderedDict ? "OrderedDict" : "dict",
        PySet s => s.Frozen ? "frozenset" : "set",
        PyGlobal g => "global " + g.FullName,
        PyObject o => "call of " + o.Global.FullName,
        PyTorchTensor => "tensor",
        PyTorchStorage => "storage",
        _ => v.GetType().Name,
    };
}
