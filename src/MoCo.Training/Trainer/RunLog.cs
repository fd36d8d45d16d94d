using System.Text;
using System.Text.Json;

namespace MoCo.Training.Trainer;

/// <summary>One line of log.jsonl.</summary>
public sealed record LogEntry
{
    /// <summary>Epoch (0-based).</summary>
    public int epoch { get; init; }
    /// <summary>Optimisation steps done.</summary>
    public long step { get; init; }
    /// <summary>Mean loss since the previous line (absent on kNN lines).</summary>
    public double? loss { get; init; }
    /// <summary>Learning rate.</summary>
    public double? lr { get; init; }
    /// <summary>Training throughput since the previous line.</summary>
    public double? images_per_s { get; init; }
    /// <summary>kNN top-1 (0–1) at the end of the epoch, when a kNN set is given.</summary>
    public double? knn_top1 { get; init; }
}

/// <summary>The machine-readable log: JSON lines appended and flushed one by one; a resumed run first cuts the file back
/// to the length recorded in its checkpoint, so lines written after the checkpoint are not repeated.</summary>
internal sealed class RunLog : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
    private readonly FileStream stream;

    internal RunLog(string path, long? truncateTo)
    {
        stream = new FileStream(path, truncateTo is null ? FileMode.Create : FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        if (truncateTo is { } n)
        {
            if (n > stream.Length) throw new InvalidDataException($"{path} is shorter ({stream.Length} bytes) than its checkpoint recorded ({n})");
            stream.SetLength(n);
        }
        stream.Seek(0, SeekOrigin.End);
    }

    internal long Length => stream.Length;

    internal void Write(LogEntry entry) => Write<LogEntry>(entry);

    /// <summary>Appends one line of any record (fine-tuning logs its own fields); null fields are left out.</summary>
    internal void Write<T>(T entry)
    {
        byte[] line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, Json) + "\n");
        stream.Write(line);
        stream.Flush();
    }

    internal static List<LogEntry> Read(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<LogEntry>(l, Json)!).ToList();

    public void Dispose() => stream.Dispose();
}
