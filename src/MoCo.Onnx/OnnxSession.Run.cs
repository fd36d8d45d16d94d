using Ort = Microsoft.ML.OnnxRuntime;
using OrtElement = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace MoCo.Onnx;

/// <summary>Runs: tensors over the caller's pinned memory in, ORT's output copied out once or written in place.</summary>
public sealed unsafe partial class OnnxSession
{
    /// <summary>Runs a single-input model on a float tensor (e.g. NCHW images) and returns its first output.</summary>
    /// <param name="input">Row-major values, as many as the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The input's shape, e.g. [N, 3, 224, 224].</param>
    /// <returns>The first output (e.g. features [N, D]), copied once out of ORT's buffer.</returns>
    /// <exception cref="ArgumentException">The shape does not match the number of values.</exception>
    /// <exception cref="OnnxRuntimeException">ORT refused the input (wrong rank, dimensions or type); the message is ORT's.</exception>
    public OnnxTensor Run(ReadOnlySpan<float> input, ReadOnlySpan<long> shape) => RunCopy(input, OrtElement.Float, shape);

    /// <summary>Runs a single-input model on a uint8 tensor (e.g. NHWC pixels) and returns its first output.</summary>
    /// <param name="input">Row-major values, as many as the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The input's shape, e.g. [N, 224, 224, 3].</param>
    /// <returns>The first output (e.g. features [N, D]), copied once out of ORT's buffer.</returns>
    /// <exception cref="ArgumentException">The shape does not match the number of values.</exception>
    /// <exception cref="OnnxRuntimeException">ORT refused the input (wrong rank, dimensions or type); the message is ORT's.</exception>
    public OnnxTensor Run(ReadOnlySpan<byte> input, ReadOnlySpan<long> shape) => RunCopy(input, OrtElement.UInt8, shape);

    /// <summary>
    /// Runs a single-input, single-output model and lets ORT write the output straight into
    /// <paramref name="output"/> (no copy). The output's shape is the model's with dynamic dimensions set
    /// to the input's batch size (its first dimension); see <see cref="GetOutputShape"/>. Safe to call from
    /// several threads at once on one session.
    /// </summary>
    /// <param name="input">Row-major input values, as many as the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The input's shape, e.g. [N, 3, 224, 224].</param>
    /// <param name="output">Receives the output, e.g. N·D features; its length must match exactly.</param>
    /// <returns>The output's shape (e.g. [N, D]).</returns>
    /// <exception cref="ArgumentException">A shape or buffer length does not match.</exception>
    /// <exception cref="InvalidOperationException">The model has several outputs, or dynamic output dimensions besides the batch.</exception>
    /// <exception cref="OnnxRuntimeException">ORT refused the input; the message is ORT's.</exception>
    public long[] RunInto(ReadOnlySpan<float> input, ReadOnlySpan<long> shape, Span<float> output) =>
        RunInPlace(input, OrtElement.Float, shape, output);

    /// <summary>As <see cref="RunInto(ReadOnlySpan{float}, ReadOnlySpan{long}, Span{float})"/>, for a uint8 input (e.g. NHWC pixels).</summary>
    /// <param name="input">Row-major input values, as many as the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The input's shape, e.g. [N, 224, 224, 3].</param>
    /// <param name="output">Receives the output; its length must match exactly.</param>
    /// <returns>The output's shape.</returns>
    /// <exception cref="ArgumentException">A shape or buffer length does not match.</exception>
    /// <exception cref="InvalidOperationException">The model has several outputs, or dynamic output dimensions besides the batch.</exception>
    /// <exception cref="OnnxRuntimeException">ORT refused the input; the message is ORT's.</exception>
    public long[] RunInto(ReadOnlySpan<byte> input, ReadOnlySpan<long> shape, Span<float> output) =>
        RunInPlace(input, OrtElement.UInt8, shape, output);

    /// <summary>
    /// The shape of the single output for a batch of <paramref name="batch"/>: the model's output shape with its
    /// dynamic first dimension set to the batch size (what <c>RunInto</c> fills; size buffers with it).
    /// </summary>
    /// <param name="batch">The input's first dimension.</param>
    /// <returns>E.g. [batch, D].</returns>
    /// <exception cref="InvalidOperationException">The model has several outputs, or dynamic output dimensions besides the batch.</exception>
    public long[] GetOutputShape(long batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (Outputs.Count != 1)
        {
            throw new InvalidOperationException($"RunInto needs a model with one output; this one has {Outputs.Count}: {string.Join(", ", Outputs)}.");
        }

        var model = Outputs[0].Shape;
        var dims = new long[model.Count];
        for (var i = 0; i < dims.Length; i++)
        {
            if (model[i] < 0 && i > 0)
            {
                throw new InvalidOperationException($"Output {Outputs[0]} has dynamic dimensions besides the batch; use Run, which returns ORT's shape.");
            }

            dims[i] = model[i] >= 0 ? model[i] : batch;
        }

        return dims;
    }

    private long[] ResolveOutputShape(ReadOnlySpan<long> inputShape, int outputLength)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (inputShape.IsEmpty)
        {
            throw new ArgumentException("RunInto needs a batched input: the shape has no dimensions.", "shape");
        }

        var batch = inputShape[0];
        var dims = GetOutputShape(batch);
        var count = Product(dims);
        if (count != outputLength)
        {
            throw new ArgumentException($"Output {Outputs[0]} for batch {batch} has shape [{string.Join(", ", dims)}] ({count} values) but the buffer holds {outputLength}.", "output");
        }

        return dims;
    }

    /// <summary>Runs and copies the first output out of ORT's buffer.</summary>
    private OnnxTensor RunCopy<T>(ReadOnlySpan<T> input, OrtElement type, ReadOnlySpan<long> shape)
        where T : unmanaged
    {
        var inputShape = CheckInput(input.Length, shape);
        AddReference();
        try
        {
            fixed (T* data = input)
            {
                using var value = InputValue(data, input.Length, type, inputShape);
                using var results = Run(value);
                var result = results[0];
                var info = result.GetTensorTypeAndShape();
                if (info.ElementDataType != OrtElement.Float)
                {
                    throw new NotSupportedException($"Output '{_outputNames[0]}' is {(OnnxElementType)(int)info.ElementDataType}; only float outputs are returned.");
                }

                return new OnnxTensor(result.GetTensorDataAsSpan<float>().ToArray(), info.Shape);
            }
        }
        finally
        {
            ReleaseReference();
        }
    }

    /// <summary>Runs with the output pre-bound to the caller's buffer: ORT writes the result there. Returns the output's shape.</summary>
    private long[] RunInPlace<T>(ReadOnlySpan<T> input, OrtElement type, ReadOnlySpan<long> shape, Span<float> output)
        where T : unmanaged
    {
        var outputShape = ResolveOutputShape(shape, output.Length);
        var inputShape = CheckInput(input.Length, shape);
        AddReference();
        try
        {
            fixed (T* data = input)
            fixed (float* outputData = output)
            {
                using var value = InputValue(data, input.Length, type, inputShape);
                using var result = Ort.OrtValue.CreateTensorValueWithData(Ort.OrtMemoryInfo.DefaultInstance, OrtElement.Float,
                    outputShape, (IntPtr)outputData, Product(outputShape) * sizeof(float));
                try
                {
                    _session.Run(_runOptions, _inputNames, [value], _outputNames, [result]);
                }
                catch (Ort.OnnxRuntimeException e)
                {
                    throw OrtErrors.Translate(e, "Run");
                }
            }
        }
        finally
        {
            ReleaseReference();
        }

        return outputShape;
    }

    /// <summary>An ORT tensor over the caller's pinned input (no copy).</summary>
    private static Ort.OrtValue InputValue<T>(T* data, int length, OrtElement type, long[] shape)
        where T : unmanaged =>
        Ort.OrtValue.CreateTensorValueWithData(Ort.OrtMemoryInfo.DefaultInstance, type, shape, (IntPtr)data, length * (long)sizeof(T));

    /// <summary>Runs for the first output only (ORT computes what that output needs), in ORT's buffer.</summary>
    private Ort.IDisposableReadOnlyCollection<Ort.OrtValue> Run(Ort.OrtValue input)
    {
        try
        {
            return _session.Run(_runOptions, _inputNames, [input], _firstOutputName);
        }
        catch (Ort.OnnxRuntimeException e)
        {
            throw OrtErrors.Translate(e, "Run");
        }
    }

    private static long Product(long[] dims)
    {
        long count = 1;
        foreach (var d in dims)
        {
            count *= d;
        }

        return count;
    }

    /// <summary>The input's shape as ORT takes it, after checking it against the data and the model.</summary>
    private long[] CheckInput(int length, ReadOnlySpan<long> shape)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Inputs.Count != 1)
        {
            throw new InvalidOperationException($"Run(input, shape) needs a model with one input; this one has {Inputs.Count}: {string.Join(", ", Inputs)}.");
        }

        return CheckCount(length, shape);
    }

    /// <summary>The shape as ORT takes it, after checking that it holds exactly <paramref name="length"/> values.</summary>
    private static long[] CheckCount(int length, ReadOnlySpan<long> shape)
    {
        var dims = shape.ToArray();
        if (Array.Exists(dims, d => d < 0))
        {
            throw new ArgumentException($"Shape [{string.Join(", ", dims)}] has a negative dimension.", nameof(shape));
        }

        var count = Product(dims);
        if (count != length)
        {
            throw new ArgumentException($"Input has {length} values but shape [{string.Join(", ", dims)}] needs {count}.", nameof(shape));
        }

        return dims;
    }
}
