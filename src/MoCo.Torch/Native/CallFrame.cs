using System.Runtime.CompilerServices;
using System.Text;

namespace MoCo.Torch.Native;

/// <summary>
/// Builds one operator call's arguments in pinned, per-thread buffers (no allocation per call), calls the
/// shim's generic entry and wraps the results. Usage: <c>CallFrame.Begin().Add(a).Add(b).Call(op)</c>.
/// A frame is single-use and not re-entrant; nothing calls back into managed code during a call.
/// </summary>
internal sealed unsafe class CallFrame
{
    private const int MaxArgs = 48;
    private const int MaxResults = 256;

    [ThreadStatic] private static CallFrame? current;

    private readonly NativeValue[] args = GC.AllocateArray<NativeValue>(MaxArgs, pinned: true);
    private readonly NativeValue[] results = GC.AllocateArray<NativeValue>(MaxResults, pinned: true);
    private readonly long[] longs = GC.AllocateArray<long>(1024, pinned: true);
    private readonly double[] doubles = GC.AllocateArray<double>(256, pinned: true);
    private readonly IntPtr[] pointers = GC.AllocateArray<IntPtr>(4096, pinned: true);
    private readonly byte[] bytes = GC.AllocateArray<byte>(4096, pinned: true);
    private int argCount, longCount, doubleCount, pointerCount, byteCount;

    internal static CallFrame Begin()
    {
        CallFrame frame = current ??= new CallFrame();
        frame.argCount = frame.longCount = frame.doubleCount = frame.pointerCount = frame.byteCount = 0;
        return frame;
    }

    private ref NativeValue Next()
    {
        if (argCount == MaxArgs) throw new InvalidOperationException($"an operator call takes at most {MaxArgs} arguments");
        ref NativeValue v = ref args[argCount++];
        v = default;
        return ref v;
    }

    internal CallFrame Add(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ref NativeValue v = ref Next();
        v.Tag = ValueTag.Tensor;
        v.Pointer = tensor.Handle;
        return this;
    }

    /// <summary>An optional tensor: null passes None.</summary>
    internal CallFrame AddOptional(Tensor? tensor) => tensor is null ? AddNone() : Add(tensor);

    internal CallFrame Add(long value)
    {
        ref NativeValue v = ref Next();
        v.Tag = ValueTag.Int;
        v.Int = value;
        return this;
    }

    internal CallFrame Add(double value)
    {
        ref NativeValue v = ref Next();
        v.Tag = ValueTag.Double;
        v.Double = value;
        return this;
    }

    internal CallFrame Add(bool value)
    {
        ref NativeValue v = ref Next();
        v.Tag = ValueTag.Bool;
        v.Int = value ? 1 : 0;
        return this;
    }

    internal CallFrame Add(Scalar value) => value.Kind switch
    {
        ScalarKind.Integer => Add(value.IntegerValue),
        ScalarKind.Boolean => Add(value.IntegerValue != 0),
        _ => Add(value.FloatingValue),
    };

    internal CallFrame Add(ScalarType dtype) => Add((long)dtype);

    internal CallFrame AddOptional(ScalarType? dtype) => dtype is { } d ? Add((long)d) : AddNone();

    internal CallFrame AddOptional(double? value) => value is { } d ? Add(d) : AddNone();

    internal CallFrame AddOptional(long? value) => value is { } d ? Add(d) : AddNone();

    internal CallFrame Add(Device device)
    {
        ref NativeValue v = ref Next();
        v.Tag = ValueTag.Device;
        v.Int = (long)device.Type;
        v.Length = device.Index;
        return this;
    }

    internal CallFrame AddOptional(Device? device) => device is { } d ? Add(d) : AddNone();

    internal CallFrame Add(ReadOnlySpan<long> list)
    {
        if (longCount + list.Length > longs.Length) throw new ArgumentException($"list of {list.Length} integers is too long for one call");
        list.CopyTo(longs.AsSpan(longCount));
        ref NativeValue v = ref Next();
        v.Tag = ValueTag.IntList;
        v.Length = list.Length;
        v.Pointer = (IntPtr)Unsafe.AsPointer(ref longs[longCount]);
        longCount += list.Length;
        return this;
    }

    internal CallFrame AddOptional(long[]? list) => list is null ? AddNone() : Add((ReadOnlySpan<long>)list);

    internal CallFrame Add(ReadOnlySpan<double> list)
    {
        if (doubleCount + list.Length > doubles.Length) throw new ArgumentException($"list of {list.Length} numbers is too long for one call");
        list.CopyTo(doubles.AsSpan(doubleCount));
        ref NativeValue v = ref Next();
        v.Tag = ValueTag.DoubleList;
        v.Length = list.Length;
        v.Pointer = (IntPtr)Unsafe.AsPointer(ref doubles[doubleCount]);
        doubleCount += list.Length;
        return this;
    }

    internal CallFrame Add(ReadOnlySpan<bool> list)
    {
        if (byteCount + list.Length > bytes.Length) throw new ArgumentException($"list of {list.Length} booleans is too long for one call");
        for (int k = 0; k < list.Length; k++) bytes[byteCount + k] = list[k] ? (byte)1 : (byte)0;
        ref NativeValue v = ref Next();
        v.Tag = ValueTag.BoolList;
        v.Length = list.Length;
        v.Pointer = (IntPtr)Unsafe.AsPointer(ref bytes[byteCount]);
        byteCount += list.Length;
        return this;
    }

    internal CallFrame Add(ReadOnlySpan<Tensor> list) => AddTensors(list, ValueTag.TensorList, allowNull: false);

    /// <summary>A <c>Tensor?[]</c> argument (as aten::index takes): null entries pass None.</summary>
    internal CallFrame AddOptionalTensors(ReadOnlySpan<Tensor?> list) => AddTensors(list!, ValueTag.OptionalTensorList, allowNull: true);

    private CallFrame AddTensors(ReadOnlySpan<Tensor> list, ValueTag tag, bool allowNull)
    {
        if (pointerCount + list.Length > pointers.Length) throw new ArgumentException($"list of {list.Length} tensors is too long for one call");
        for (int k = 0; k < list.Length; k++)
        {
            Tensor? t = list[k];
            if (t is null && !allowNull) throw new ArgumentNullException(nameof(list), $"tensor list entry {k} is null");
            pointers[pointerCount + k] = t is null ? IntPtr.Zero : t.Handle;
        }
        ref NativeValue v = ref Next();
        v.Tag = tag;
        v.Length = list.Length;
        v.Pointer = (IntPtr)Unsafe.AsPointer(ref pointers[pointerCount]);
        pointerCount += list.Length;
        return this;
    }

    internal CallFrame Add(string text)
    {
        int n = Encoding.UTF8.GetByteCount(text);
        if (byteCount + n > bytes.Length) throw new ArgumentException("string argument is too long");
        Encoding.UTF8.GetBytes(text, bytes.AsSpan(byteCount));
        ref NativeValue v = ref Next();
        v.Tag = ValueTag.String;
        v.Length = n;
        v.Pointer = (IntPtr)Unsafe.AsPointer(ref bytes[byteCount]);
        byteCount += n;
        return this;
    }

    internal CallFrame AddNone()
    {
        Next().Tag = ValueTag.None;
        return this;
    }

    /// <summary>Leaves the argument to the schema's default.</summary>
    internal CallFrame AddDefault()
    {
        Next().Tag = ValueTag.Default;
        return this;
    }

    /// <summary>Calls the operator; the results stay in this frame until the next call on this thread.</summary>
    internal ReadOnlySpan<NativeValue> Invoke(Op op)
    {
        IntPtr handle = op.Handle;
        int n;
        fixed (NativeValue* a = args)
        fixed (NativeValue* r = results)
        {
            n = NativeMethods.moco_op_call(handle, a, argCount, r, MaxResults);
        }
        if (n < 0) TorchCheck.Throw();
        return new ReadOnlySpan<NativeValue>(results, 0, n);
    }

    /// <summary>Calls an operator that returns one tensor.</summary>
    internal Tensor Call(Op op)
    {
        ReadOnlySpan<NativeValue> r = Invoke(op);
        if (r.Length != 1 || r[0].Tag != ValueTag.Tensor)
        {
            ReleaseTensors(r);
            throw new TorchException($"{op} returned {Describe(r)}, expected one tensor");
        }
        return new Tensor(r[0].Pointer);
    }

    /// <summary>Calls an operator that returns several tensors (a tuple, or a tensor list).</summary>
    internal Tensor[] CallMany(Op op)
    {
        ReadOnlySpan<NativeValue> r = Invoke(op);
        int start = r.Length > 0 && r[0].Tag == ValueTag.TensorList ? 1 : 0;
        var tensors = new Tensor[r.Length - start];
        for (int k = start; k < r.Length; k++)
        {
            if (r[k].Tag != ValueTag.Tensor)
            {
                ReleaseTensors(r);
                throw new TorchException($"{op} returned {Describe(r)}, expected tensors");
            }
        }
        for (int k = start; k < r.Length; k++) tensors[k - start] = new Tensor(r[k].Pointer);
        return tensors;
    }

    /// <summary>Calls an in-place operator: its result aliases an argument and is released at once.</summary>
    internal void CallInPlace(Op op) => ReleaseTensors(Invoke(op));

    /// <summary>Calls an operator that returns a number (int, double or bool).</summary>
    internal NativeValue CallValue(Op op)
    {
        ReadOnlySpan<NativeValue> r = Invoke(op);
        if (r.Length != 1 || r[0].Tag is not (ValueTag.Int or ValueTag.Double or ValueTag.Bool))
        {
            ReleaseTensors(r);
            throw new TorchException($"{op} returned {Describe(r)}, expected one number");
        }
        return r[0];
    }

    private static void ReleaseTensors(ReadOnlySpan<NativeValue> values)
    {
        foreach (NativeValue v in values)
        {
            if (v.Tag == ValueTag.Tensor) NativeMethods.moco_tensor_free(v.Pointer);
        }
    }

    private static string Describe(ReadOnlySpan<NativeValue> values)
    {
        var tags = new string[values.Length];
        for (int k = 0; k < values.Length; k++) tags[k] = values[k].Tag.ToString();
        return values.Length == 0 ? "nothing" : string.Join(", ", tags);
    }
}
