using System.Runtime.InteropServices;

namespace MoCo.Onnx.Native;

/// <summary>
/// The OrtApi functions we use, read by their index in the OrtApi struct of onnxruntime_c_api.h.
/// The struct is append-only across releases, so these indices hold for every API version ≥ the one
/// that introduced each function. Every function returning OrtStatus* goes through <see cref="Check"/>.
/// </summary>
internal static unsafe class OrtApi
{
    private static void* F(int index) => OrtLibrary.Api[index];

    // Indices in struct OrtApi (onnxruntime_c_api.h).
    private const int IGetErrorCode = 1, IGetErrorMessage = 2, ICreateEnv = 3, ICreateSession = 7,
        ICreateSessionFromArray = 8, IRun = 9, ICreateSessionOptions = 10, ISetSessionExecutionMode = 13,
        ISetSessionGraphOptimizationLevel = 23, ISetIntraOpNumThreads = 24, ISetInterOpNumThreads = 25,
        ISessionGetInputCount = 30, ISessionGetOutputCount = 31, ISessionGetInputTypeInfo = 33,
        ISessionGetOutputTypeInfo = 34, ISessionGetInputName = 36, ISessionGetOutputName = 37,
        ICreateTensorWithDataAsOrtValue = 49, IGetTensorMutableData = 51, ICastTypeInfoToTensorInfo = 55,
        IGetOnnxTypeFromTypeInfo = 56, IGetTensorElementType = 60, IGetDimensionsCount = 61, IGetDimensions = 62,
        IGetSymbolicDimensions = 63, IGetTensorTypeAndShape = 65, ICreateCpuMemoryInfo = 69, IAllocatorFree = 76,
        IGetAllocatorWithDefaultOptions = 78, IReleaseEnv = 92, IReleaseStatus = 93, IReleaseMemoryInfo = 94,
        IReleaseSession = 95, IReleaseValue = 96, IReleaseTypeInfo = 98, IReleaseTensorTypeAndShapeInfo = 99,
        IReleaseSessionOptions = 100, ISessionGetModelMetadata = 111, IModelMetadataGetProducerName = 112,
        IModelMetadataGetGraphName = 113, IModelMetadataGetDomain = 114, IModelMetadataGetDescription = 115,
        IModelMetadataGetVersion = 117, IReleaseModelMetadata = 118, IModelMetadataGetCustomMetadataMapKeys = 123,
        IGetAvailableProviders = 125, IReleaseAvailableProviders = 126;

    /// <summary>Throws <see cref="OnnxRuntimeException"/> with ORT's message when <paramref name="status"/> is not null, releasing it.</summary>
    internal static void Check(IntPtr status, string operation)
    {
        if (status == IntPtr.Zero)
        {
            return;
        }

        var code = ((delegate* unmanaged<IntPtr, int>)F(IGetErrorCode))(status);
        var message = Marshal.PtrToStringUTF8(((delegate* unmanaged<IntPtr, IntPtr>)F(IGetErrorMessage))(status)) ?? "";
        ((delegate* unmanaged<IntPtr, void>)F(IReleaseStatus))(status);
        throw new OnnxRuntimeException((OnnxErrorCode)code, operation, message);
    }

    internal static IntPtr CreateEnv(int loggingLevel, string logId)
    {
        IntPtr env;
        var id = Utf8(logId);
        fixed (byte* p = id)
        {
            Check(((delegate* unmanaged<int, byte*, IntPtr*, IntPtr>)F(ICreateEnv))(loggingLevel, p, &env), "CreateEnv");
        }

        return env;
    }

    internal static IntPtr CreateSession(IntPtr env, string path, IntPtr options)
    {
        IntPtr session;
        var p8 = Utf8(path);
        fixed (byte* p = p8)
        {
            Check(((delegate* unmanaged<IntPtr, byte*, IntPtr, IntPtr*, IntPtr>)F(ICreateSession))(env, p, options, &session),
                $"CreateSession({path})");
        }

        return session;
    }

    internal static IntPtr CreateSessionFromArray(IntPtr env, ReadOnlySpan<byte> model, IntPtr options)
    {
        IntPtr session;
        fixed (byte* p = model)
        {
            Check(((delegate* unmanaged<IntPtr, byte*, nuint, IntPtr, IntPtr*, IntPtr>)F(ICreateSessionFromArray))(
                env, p, (nuint)model.Length, options, &session), $"CreateSessionFromArray({model.Length} bytes)");
        }

        return session;
    }

    internal static void Run(IntPtr session, byte** inputNames, IntPtr* inputs, nuint inputCount,
        byte** outputNames, nuint outputCount, IntPtr* outputs)
    {
        Check(((delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr*, nuint, byte**, nuint, IntPtr*, IntPtr>)F(IRun))(
            session, IntPtr.Zero, inputNames, inputs, inputCount, outputNames, outputCount, outputs), "Run");
    }

    internal static IntPtr CreateSessionOptions()
    {
        IntPtr options;
        Check(((delegate* unmanaged<IntPtr*, IntPtr>)F(ICreateSessionOptions))(&options), "CreateSessionOptions");
        return options;
    }

    internal static void SetSessionExecutionMode(IntPtr options, int mode) =>
        Check(((delegate* unmanaged<IntPtr, int, IntPtr>)F(ISetSessionExecutionMode))(options, mode), "SetSessionExecutionMode");

    internal static void SetGraphOptimizationLevel(IntPtr options, int level) =>
        Check(((delegate* unmanaged<IntPtr, int, IntPtr>)F(ISetSessionGraphOptimizationLevel))(options, level), "SetSessionGraphOptimizationLevel");

    internal static void SetIntraOpNumThreads(IntPtr options, int threads) =>
        Check(((delegate* unmanaged<IntPtr, int, IntPtr>)F(ISetIntraOpNumThreads))(options, threads), "SetIntraOpNumThreads");

    internal static void SetInterOpNumThreads(IntPtr options, int threads) =>
        Check(((delegate* unmanaged<IntPtr, int, IntPtr>)F(ISetInterOpNumThreads))(options, threads), "SetInterOpNumThreads");

    internal static nuint SessionGetInputCount(IntPtr session)
    {
        nuint n;
        Check(((delegate* unmanaged<IntPtr, nuint*, IntPtr>)F(ISessionGetInputCount))(session, &n), "SessionGetInputCount");
        return n;
    }

    internal static nuint SessionGetOutputCount(IntPtr session)
    {
        nuint n;
        Check(((delegate* unmanaged<IntPtr, nuint*, IntPtr>)F(ISessionGetOutputCount))(session, &n), "SessionGetOutputCount");
        return n;
    }

    internal static IntPtr SessionGetTypeInfo(IntPtr session, nuint index, bool input)
    {
        IntPtr info;
        Check(((delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr>)F(input ? ISessionGetInputTypeInfo : ISessionGetOutputTypeInfo))(
            session, index, &info), input ? "SessionGetInputTypeInfo" : "SessionGetOutputTypeInfo");
        return info;
    }

    internal static string SessionGetName(IntPtr session, nuint index, bool input)
    {
        var allocator = DefaultAllocator();
        byte* name;
        Check(((delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr>)F(input ? ISessionGetInputName : ISessionGetOutputName))(
            session, index, allocator, &name), input ? "SessionGetInputName" : "SessionGetOutputName");
        return TakeString(allocator, name);
    }

    internal static IntPtr CreateTensorWithData(IntPtr memoryInfo, void* data, nuint byteLength,
        long* shape, nuint rank, OnnxElementType type)
    {
        IntPtr value;
        Check(((delegate* unmanaged<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr>)F(ICreateTensorWithDataAsOrtValue))(
            memoryInfo, data, byteLength, shape, rank, (int)type, &value), "CreateTensorWithDataAsOrtValue");
        return value;
    }

    internal static void* GetTensorMutableData(IntPtr value)
    {
        void* data;
        Check(((delegate* unmanaged<IntPtr, void**, IntPtr>)F(IGetTensorMutableData))(value, &data), "GetTensorMutableData");
        return data;
    }

    /// <summary>The tensor info inside a type info (owned by it: not released separately); zero when not a tensor.</summary>
    internal static IntPtr CastTypeInfoToTensorInfo(IntPtr typeInfo)
    {
        IntPtr tensorInfo;
        Check(((delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)F(ICastTypeInfoToTensorInfo))(typeInfo, &tensorInfo), "CastTypeInfoToTensorInfo");
        return tensorInfo;
    }

    internal static int GetOnnxTypeFromTypeInfo(IntPtr typeInfo)
    {
        int type;
        Check(((delegate* unmanaged<IntPtr, int*, IntPtr>)F(IGetOnnxTypeFromTypeInfo))(typeInfo, &type), "GetOnnxTypeFromTypeInfo");
        return type;
    }

    internal static OnnxElementType GetTensorElementType(IntPtr tensorInfo)
    {
        int type;
        Check(((delegate* unmanaged<IntPtr, int*, IntPtr>)F(IGetTensorElementType))(tensorInfo, &type), "GetTensorElementType");
        return (OnnxElementType)type;
    }

    internal static long[] GetDimensions(IntPtr tensorInfo)
    {
        nuint rank;
        Check(((delegate* unmanaged<IntPtr, nuint*, IntPtr>)F(IGetDimensionsCount))(tensorInfo, &rank), "GetDimensionsCount");
        var dims = new long[(int)rank];
        fixed (long* p = dims)
        {
            Check(((delegate* unmanaged<IntPtr, long*, nuint, IntPtr>)F(IGetDimensions))(tensorInfo, p, rank), "GetDimensions");
        }

        return dims;
    }

    internal static string[] GetSymbolicDimensions(IntPtr tensorInfo, int rank)
    {
        var names = new IntPtr[rank];
        fixed (IntPtr* p = names)
        {
            Check(((delegate* unmanaged<IntPtr, IntPtr*, nuint, IntPtr>)F(IGetSymbolicDimensions))(tensorInfo, p, (nuint)rank),
                "GetSymbolicDimensions");
        }

        // Owned by the tensor info: copied, never freed here.
        return names.Select(n => n == IntPtr.Zero ? "" : Marshal.PtrToStringUTF8(n) ?? "").ToArray();
    }

    internal static IntPtr GetTensorTypeAndShape(IntPtr value)
    {
        IntPtr info;
        Check(((delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)F(IGetTensorTypeAndShape))(value, &info), "GetTensorTypeAndShape");
        return info;
    }

    internal static IntPtr CreateCpuMemoryInfo()
    {
        IntPtr info;
        // OrtArenaAllocator = 1, OrtMemTypeDefault = 0: describes plain CPU memory that we own.
        Check(((delegate* unmanaged<int, int, IntPtr*, IntPtr>)F(ICreateCpuMemoryInfo))(1, 0, &info), "CreateCpuMemoryInfo");
        return info;
    }

    /// <summary>ORT's default CPU allocator: process-wide, owned by ORT, never released.</summary>
    internal static IntPtr DefaultAllocator()
    {
        IntPtr allocator;
        Check(((delegate* unmanaged<IntPtr*, IntPtr>)F(IGetAllocatorWithDefaultOptions))(&allocator), "GetAllocatorWithDefaultOptions");
        return allocator;
    }

    internal static void AllocatorFree(IntPtr allocator, void* p) =>
        Check(((delegate* unmanaged<IntPtr, void*, IntPtr>)F(IAllocatorFree))(allocator, p), "AllocatorFree");

    internal static void ReleaseEnv(IntPtr p) => ((delegate* unmanaged<IntPtr, void>)F(IReleaseEnv))(p);
    internal static void ReleaseMemoryInfo(IntPtr p) => ((delegate* unmanaged<IntPtr, void>)F(IReleaseMemoryInfo))(p);
    internal static void ReleaseSession(IntPtr p) => ((delegate* unmanaged<IntPtr, void>)F(IReleaseSession))(p);
    internal static void ReleaseValue(IntPtr p) => ((delegate* unmanaged<IntPtr, void>)F(IReleaseValue))(p);
    internal static void ReleaseTypeInfo(IntPtr p) => ((delegate* unmanaged<IntPtr, void>)F(IReleaseTypeInfo))(p);
    internal static void ReleaseTensorTypeAndShapeInfo(IntPtr p) => ((delegate* unmanaged<IntPtr, void>)F(IReleaseTensorTypeAndShapeInfo))(p);
    internal static void ReleaseSessionOptions(IntPtr p) => ((delegate* unmanaged<IntPtr, void>)F(IReleaseSessionOptions))(p);
    internal static void ReleaseModelMetadata(IntPtr p) => ((delegate* unmanaged<IntPtr, void>)F(IReleaseModelMetadata))(p);

    internal static IntPtr SessionGetModelMetadata(IntPtr session)
    {
        IntPtr meta;
        Check(((delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)F(ISessionGetModelMetadata))(session, &meta), "SessionGetModelMetadata");
        return meta;
    }

    internal enum MetadataString { ProducerName, GraphName, Domain, Description }

    internal static string ModelMetadataGetString(IntPtr meta, MetadataString which)
    {
        var index = which switch
        {
            MetadataString.ProducerName => IModelMetadataGetProducerName,
            MetadataString.GraphName => IModelMetadataGetGraphName,
            MetadataString.Domain => IModelMetadataGetDomain,
            _ => IModelMetadataGetDescription,
        };
        var allocator = DefaultAllocator();
        byte* value;
        Check(((delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr>)F(index))(meta, allocator, &value), "ModelMetadataGet" + which);
        return TakeString(allocator, value);
    }

    internal static long ModelMetadataGetVersion(IntPtr meta)
    {
        long version;
        Check(((delegate* unmanaged<IntPtr, long*, IntPtr>)F(IModelMetadataGetVersion))(meta, &version), "ModelMetadataGetVersion");
        return version;
    }

    internal static Dictionary<string, string> ModelMetadataGetCustomMap(IntPtr meta)
    {
        var allocator = DefaultAllocator();
        byte** keys;
        long count;
        Check(((delegate* unmanaged<IntPtr, IntPtr, byte***, long*, IntPtr>)F(IModelMetadataGetCustomMetadataMapKeys))(
            meta, allocator, &keys, &count), "ModelMetadataGetCustomMetadataMapKeys");
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (keys == null)
        {
            return map;
        }

        var names = new string[count];
        for (long i = 0; i < count; i++)
        {
            names[i] = TakeString(allocator, keys[i]);
        }

        AllocatorFree(allocator, keys);
        foreach (var key in names)
        {
            map[key] = LookupCustomMetadata(meta, allocator, key);
        }

        return map;
    }

    private static string LookupCustomMetadata(IntPtr meta, IntPtr allocator, string key)
    {
        const int IModelMetadataLookupCustomMetadataMap = 116;
        byte* value;
        var k = Utf8(key);
        fixed (byte* p = k)
        {
            Check(((delegate* unmanaged<IntPtr, IntPtr, byte*, byte**, IntPtr>)F(IModelMetadataLookupCustomMetadataMap))(
                meta, allocator, p, &value), "ModelMetadataLookupCustomMetadataMap");
        }

        return TakeString(allocator, value);
    }

    internal static string[] GetAvailableProviders()
    {
        byte** list;
        int count;
        Check(((delegate* unmanaged<byte***, int*, IntPtr>)F(IGetAvailableProviders))(&list, &count), "GetAvailableProviders");
        var names = new string[count];
        for (var i = 0; i < count; i++)
        {
            names[i] = Marshal.PtrToStringUTF8((IntPtr)list[i]) ?? "";
        }

        Check(((delegate* unmanaged<byte**, int, IntPtr>)F(IReleaseAvailableProviders))(list, count), "ReleaseAvailableProviders");
        return names;
    }

    /// <summary>Appends the CUDA execution provider through the library's exported legacy entry point.</summary>
    internal static void AppendCudaProvider(IntPtr options, int deviceId)
    {
        if (!NativeLibrary.TryGetExport(OrtLibrary.Handle, "OrtSessionOptionsAppendExecutionProvider_CUDA", out var fn))
        {
            throw new OnnxRuntimeException(OnnxErrorCode.NotImplemented, "AppendExecutionProvider_CUDA",
                "this ONNX Runtime library exports no CUDA entry point");
        }

        Check(((delegate* unmanaged<IntPtr, int, IntPtr>)fn)(options, deviceId), "OrtSessionOptionsAppendExecutionProvider_CUDA");
    }

    internal static byte[] Utf8(string s)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(s) + 1];
        System.Text.Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }

    private static string TakeString(IntPtr allocator, byte* s)
    {
        if (s == null)
        {
            return "";
        }

        var text = Marshal.PtrToStringUTF8((IntPtr)s) ?? "";
        AllocatorFree(allocator, s);
        return text;
    }
}
