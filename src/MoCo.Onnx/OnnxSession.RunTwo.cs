using Ort = Microsoft.ML.OnnxRuntime;
using OrtElement = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace MoCo.Onnx;

public sealed unsafe partial class OnnxSession
{
    /// <summary>
    /// Runs a model with two inputs, a uint8 tensor then a float tensor (in graph order, e.g. image bytes and a
    /// per-row float), writing its single float output straight into <paramref name="output"/>. Thread-safe.
    /// </summary>
    /// <param name="first">Row-major values of the first input.</param>
    /// <param name="firstShape">Its shape; its first dimension is the batch.</param>
    /// <param name="second">Row-major values of the second input.</param>
    /// <param name="secondShape">Its shape.</param>
    /// <param name="output">Receives the output; its length must match exactly.</param>
    /// <returns>The output's shape.</returns>
    /// <exception cref="ArgumentException">A shape or buffer length does not match.</exception>
    /// <exception cref="OnnxRuntimeException">ORT refused the inputs; the message is ORT's.</exception>
    public long[] RunInto(ReadOnlySpan<byte> first, ReadOnlySpan<long> firstShape, ReadOnlySpan<float> second, ReadOnlySpan<long> secondShape, Span<float> output)
    {
        if (Inputs.Count != 2)
        {
            throw new InvalidOperationException($"This RunInto needs a model with two inputs; this one has {Inputs.Count}: {string.Join(", ", Inputs)}.");
        }

        var outShape = ResolveOutputShape(firstShape, output.Length);
        var shape1 = CheckCount(first.Length, firstShape);
        var shape2 = CheckCount(second.Length, secondShape);
        AddReference();
        try
        {
            fixed (byte* p1 = first)
            fixed (float* p2 = second)
            fixed (float* o = output)
            {
                using var v1 = Ort.OrtValue.CreateTensorValueWithData(Ort.OrtMemoryInfo.DefaultInstance, OrtElement.UInt8, shape1, (IntPtr)p1, first.Length);
                using var v2 = Ort.OrtValue.CreateTensorValueWithData(Ort.OrtMemoryInfo.DefaultInstance, OrtElement.Float, shape2, (IntPtr)p2, second.Length * (long)sizeof(float));
                using var result = Ort.OrtValue.CreateTensorValueWithData(Ort.OrtMemoryInfo.DefaultInstance, OrtElement.Float, outShape, (IntPtr)o, output.Length * (long)sizeof(float));
                OrtErrors.Call("Run", () =>
                {
                    _session.Run(_runOptions, _inputNames, [v1, v2], _outputNames, [result]);
                    return true;
                });
            }
        }
        finally
        {
            ReleaseReference();
        }

        return outShape;
    }
}
