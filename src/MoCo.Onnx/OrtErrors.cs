using System.Globalization;
using Ort = Microsoft.ML.OnnxRuntime;

namespace MoCo.Onnx;

/// <summary>
/// Turns the official package's failures into ours: <see cref="Ort.OnnxRuntimeException"/> into
/// <see cref="OnnxRuntimeException"/> (ORT's code and message unchanged), a missing native library into
/// <see cref="OnnxRuntimeNotFoundException"/> naming the package that provides it.
/// </summary>
internal static class OrtErrors
{
    // Microsoft.ML.OnnxRuntime's ErrorCode (internal there) by value; its exception's message is
    // "[ErrorCode:<name>] <ORT's message>". Values 11 and up are named after old meanings in the managed enum:
    // the C API's OrtErrorCode (what ORT returns, and what OnnxErrorCode mirrors) renamed them since.
    private static readonly string[] ManagedNames =
    [
        "Ok", "Fail", "InvalidArgument", "NoSuchFile", "NoModel", "EngineError", "RuntimeException", "InvalidProtobuf",
        "ModelLoaded", "NotImplemented", "InvalidGraph", "ShapeInferenceNotRegistered", "RequirementNotRegistered",
    ];

    private const string Prefix = "[ErrorCode:";

    /// <summary>ORT's code and message, read back from the official exception's message.</summary>
    internal static OnnxRuntimeException Translate(Ort.OnnxRuntimeException e, string operation)
    {
        var (code, message) = Parse(e.Message);
        return new OnnxRuntimeException(code, operation, message, e);
    }

    internal static (OnnxErrorCode Code, string Message) Parse(string message)
    {
        var end = message.IndexOf(']', StringComparison.Ordinal);
        if (!message.StartsWith(Prefix, StringComparison.Ordinal) || end < 0)
        {
            return (OnnxErrorCode.Fail, message);
        }

        var name = message[Prefix.Length..end];
        var text = message[(end + 1)..].TrimStart();
        var index = Array.IndexOf(ManagedNames, name);
        if (index >= 0)
        {
            return ((OnnxErrorCode)index, text);
        }

        // A code past the managed enum is printed as its number.
        return int.TryParse(name, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? ((OnnxErrorCode)value, text)
            : (OnnxErrorCode.Fail, text);
    }

    /// <summary>The package's loader failing on libonnxruntime (directly, or inside a type initialiser).</summary>
    internal static OnnxRuntimeNotFoundException? NativeLibraryMissing(Exception e)
    {
        var inner = e is TypeInitializationException t ? t.InnerException : e;
        if (inner is not DllNotFoundException and not BadImageFormatException)
        {
            return null;
        }

        return new OnnxRuntimeNotFoundException(
            $"ONNX Runtime's native library could not be loaded: {inner.Message} It comes from the NuGet package " +
            "Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu.Linux (CUDA, `-p:MoCoOnnxGpu=true`): reference " +
            "MoCo.Onnx (which brings one), or one of those packages, from the application's project, and run build/setup.sh.", e);
    }

    /// <summary>Runs a call into the official package, translating its failures.</summary>
    internal static T Call<T>(string operation, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Ort.OnnxRuntimeException e)
        {
            throw Translate(e, operation);
        }
        catch (Exception e) when (NativeLibraryMissing(e) is { } missing)
        {
            throw missing;
        }
    }
}
