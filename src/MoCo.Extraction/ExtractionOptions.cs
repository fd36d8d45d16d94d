using MoCo.Extraction.Sources;
using MoCo.Extraction.Store;

namespace MoCo.Extraction;

/// <summary>What <c>moco extract</c> is asked to do (its options, parsed).</summary>
internal sealed record ExtractionOptions
{
    /// <summary>The encoder (.onnx with moco.* preprocessing metadata, e.g. from <c>moco export</c>).</summary>
    public required string ModelPath { get; init; }

    /// <summary>The source: a folder, a .txt/.csv list, <c>idx:DIR[:train|test]</c>, <c>fashion-mnist[:train|test]</c>.</summary>
    public required string Data { get; init; }

    /// <summary>The store folder.</summary>
    public required string Out { get; init; }

    public StoreFormat Format { get; init; } = StoreFormat.Parquet;

    /// <summary>Images per ONNX Runtime call; default 32. Keep it when resuming: results are only bit-identical for the same batches.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Decoding threads and ONNX Runtime intra-op threads; default 0 = one per core.</summary>
    public int Threads { get; init; }

    public JobShard Shard { get; init; } = JobShard.All;

    /// <summary>CUDA device, or null for the CPU.</summary>
    public int? GpuDeviceId { get; init; }

    /// <summary>Source items per feature file (rounded up to whole batches); default 8192. A killed run loses at most one file's work.</summary>
    public int ItemsPerFile { get; init; } = 8192;
}
