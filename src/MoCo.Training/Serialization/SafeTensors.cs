using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

using TorchSharp;
using static TorchSharp.torch;

namespace MoCo.Training.Serialization;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length, a UTF-8 JSON header
/// ({name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {string: string}}) padded with spaces to a
/// multiple of 8, then the raw little-endian tensor bytes. Loading never runs code (unlike pickle), and Python's
/// safetensors/torch tools read our files as we read theirs.
/// </summary>
public static class SafeTensors
{
    private const string MetadataKey = "__metadata__";
    private const long MaxHeaderBytes = 100_000_000;

    /// <summary>Writes <paramref name="tensors"/> (in the given order) and optional string metadata to <paramref name="path"/>
    /// atomically: a temporary file beside it, flushed, then renamed over the target.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        string full = Path.GetFullPath(path);
        string temp = full + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Write(stream, tensors, metadata);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Writes the format to a stream.</summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var entries = tensors.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var header = new MemoryStream();
        long offset = 0;
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata) json.WriteString(k, v);
                json.WriteEndObject();
            }
            foreach (var (name, tensor) in entries)
            {
                ArgumentException.ThrowIfNullOrEmpty(name);
                if (name == MetadataKey || !names.Add(name)) throw new ArgumentException($"tensor name '{name}' is reserved or repeated");
                long bytes = tensor.numel() * tensor.dtype.ElementSize();
                json.WriteStartObject(name);
                json.WriteString("dtype", DTypeName(tensor.dtype));
                json.WriteStartArray("shape");
                foreach (long s in tensor.shape) json.WriteNumberValue(s);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        long headerLength = header.Length;
        long padded = (headerLength + 7) / 8 * 8;
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)padded);
        stream.Write(prefix);
        header.WriteTo(stream);
        for (long k = headerLength; k < padded; k++) stream.WriteByte((byte)' ');
        byte[] buffer = [];
        foreach (var (_, tensor) in entries)
        {
            int bytes = checked((int)(tensor.numel() * tensor.dtype.ElementSize()));
            if (buffer.Length < bytes) buffer = new byte[bytes];
            CopyBytes(tensor, buffer.AsSpan(0, bytes));
            stream.Write(buffer, 0, bytes);
        }
    }

    private static void CopyBytes(Tensor tensor, Span<byte> destination)
    {
        using Tensor contiguous = tensor.detach();
        contiguous.CopyRawTo(destination);
    }

    /// <summary>The contents of a safetensors file: tensors by name (in file order) and metadata. Dispose it to free the tensors.</summary>
    public sealed class Contents : IDisposable
    {
        internal Contents(Dictionary<string, Tensor> tensors, List<string> order, Dictionary<string, string> metadata)
        {
            Tensors = tensors;
            Names = order;
            Metadata = metadata;
        }

        /// <summary>The tensors by name (CPU, owned by this object).</summary>
        public IReadOnlyDictionary<string, Tensor> Tensors { get; }
        /// <summary>The names in the order of their data in the file.</summary>
        public IReadOnlyList<string> Names { get; }
        /// <summary>The header's "__metadata__" strings (empty if none).</summary>
        public IReadOnlyDictionary<string, string> Metadata { get; }

        /// <summary>Frees the tensors.</summary>
        public void Dispose()
        {
            foreach (Tensor t in Tensors.Values) t.Dispose();
        }
    }

    /// <summary>Reads a safetensors file; errors name the file and what is wrong.</summary>
    public static Contents Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"safetensors file not found: {path}", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        try
        {
            return Read(stream);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Reads the format from a seekable stream.</summary>
    public static Contents Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long length = stream.Length;
        Span<byte> prefix = stackalloc byte[8];
        if (length < 8 || stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
            throw new InvalidDataException("not a safetensors file: shorter than its 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes || (long)headerLength > length - 8)
            throw new InvalidDataException($"not a safetensors file: header length {headerLength} does not fit the file's {length} bytes");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        long dataStart = 8 + (long)headerLength;
        long dataLength = length - dataStart;

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the safetensors header is not valid JSON: {e.Message}", e);
        }
        var entries = new List<(string name, ScalarType type, long[] shape, long begin, long end)>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException("the safetensors header is not a JSON object");
            foreach (JsonProperty property in doc.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    foreach (JsonProperty m in property.Value.EnumerateObject()) metadata[m.Name] = m.Value.GetString() ?? "";
                    continue;
                }
                entries.Add(ParseEntry(property, dataLength));
            }
        }
        entries.Sort((a, b) => a.begin.CompareTo(b.begin));
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var order = new List<string>();
        try
        {
            foreach (var (name, type, shape, begin, end) in entries)
            {
                var bytes = new byte[end - begin];
                stream.Seek(dataStart + begin, SeekOrigin.Begin);
                stream.ReadExactly(bytes);
                Tensor t = torch.empty(shape, type).DetachFromDisposeScope();
                tensors[name] = t;
                order.Add(name);
                FillBytes(t, bytes);
            }
        }
        catch
        {
            foreach (Tensor t in tensors.Values) t.Dispose();
            throw;
        }
        return new Contents(tensors, order, metadata);
    }

    private static (string, ScalarType, long[], long, long) ParseEntry(JsonProperty property, long dataLength)
    {
        string name = property.Name;
        try
        {
            JsonElement e = property.Value;
            ScalarType type = ParseDType(e.GetProperty("dtype").GetString() ?? "");
            long[] shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            long[] offsets = e.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            if (offsets.Length != 2) throw new InvalidDataException("data_offsets must hold two numbers");
            long count = 1;
            foreach (long s in shape)
            {
                if (s < 0) throw new InvalidDataException("negative size in shape");
                count = checked(count * s);
            }
            long begin = offsets[0], end = offsets[1];
            if (begin < 0 || end < begin || end > dataLength)
                throw new InvalidDataException($"data_offsets [{begin}, {end}] fall outside the {dataLength} data bytes");
            if (end - begin != count * type.ElementSize())
                throw new InvalidDataException($"data_offsets span {end - begin} bytes, shape [{string.Join(", ", shape)}] of {type} needs {count * type.ElementSize()}");
            return (name, type, shape, begin, end);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException or OverflowException or InvalidDataException)
        {
            throw new InvalidDataException($"tensor '{name}': {ex.Message}", ex);
        }
    }

    private static void FillBytes(Tensor t, byte[] bytes) => t.CopyRawFrom(bytes);

    internal static string DTypeName(ScalarType type) => type switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float64 => "F64",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new NotSupportedException($"{type} has no safetensors name"),
    };

    internal static ScalarType ParseDType(string name) => name switch
    {
        "F32" => ScalarType.Float32,
        "F64" => ScalarType.Float64,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16,
        "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => throw new InvalidDataException($"unsupported safetensors dtype '{name}'"),
    };
}
