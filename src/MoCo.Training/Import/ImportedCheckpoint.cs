using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using MoCo.Onnx.Metadata;
using MoCo.Training.Models;
using MoCo.Training.Serialization;
using MoCo.Training.Trainer;

namespace MoCo.Training.Import;

/// <summary>Where an imported encoder came from and what it brought, as recorded in our checkpoint (<c>moco.import</c>).</summary>
public sealed record ImportProvenance
{
    /// <summary>The imported file's name (without its folder).</summary>
    public string Source { get; init; } = "";
    /// <summary>SHA-256 of the imported file (lower-case hex).</summary>
    public string Sha256 { get; init; } = "";
    /// <summary>Its container: zip, legacy or safetensors.</summary>
    public string Format { get; init; } = "";
    /// <summary>The layout recognised (<see cref="CheckpointLayoutNames"/>).</summary>
    public string Layout { get; init; } = "";
    /// <summary>The head the file brought: none, linear or mlp. With none, the checkpoint holds no <c>encoder_q.fc*</c>
    /// (training starts a new head; export takes the backbone only).</summary>
    public string Head { get; init; } = "none";
    /// <summary>Whether the file had a MoCo key encoder; without one, <c>encoder_k.*</c> is a copy of the query encoder (as
    /// MoCo initialises it).</summary>
    public bool KeyEncoder { get; init; }
    /// <summary>The length K of the file's queue, written as <c>queue</c>; null when it had none (none is written).</summary>
    public int? QueueSize { get; init; }
}

/// <summary>
/// Writes an imported encoder as our training checkpoint: the safetensors file <c>Trainer/Checkpoint.cs</c> writes
/// (official MoCo names, <c>moco.checkpoint_version</c>, <c>moco.config</c>), which <c>moco export</c>, <c>moco info</c>
/// and <see cref="Checkpoint.ReadConfig"/> read. It holds <c>encoder_q.*</c> (with the head when the file had MoCo's),
/// <c>encoder_k.*</c> (the file's, else the query's), <c>queue</c>/<c>queue_ptr</c> only when the file had them, the
/// config describing the network and its preprocessing, the preprocessing itself under the encoder-metadata keys
/// (<c>moco.resize</c>, <c>moco.input_size</c>, …: the resize is in no config field) and <see cref="ImportProvenance"/>.
/// It has no position, optimiser or generator state: it is a start, not a point in a run.
/// </summary>
public static class ImportedCheckpoint
{
    /// <summary>Metadata key of the <see cref="ImportProvenance"/> JSON.</summary>
    public const string ProvenanceKey = "moco.import";

    // The keys of Trainer/Checkpoint.cs, which keeps them as literals; ImportedCheckpointTests reads a written file
    // back through Checkpoint.ReadConfig, so the two cannot drift apart unnoticed.
    private const string VersionKey = "moco.checkpoint_version", MinReaderKey = "moco.min_reader_version", ConfigKey = "moco.config";

    /// <summary>Where a checkpoint keeps its preprocessing: the encoder keys of an exported model, without the layout
    /// (the export chooses it).</summary>
    internal static PreprocessingKeys PreprocessingKeys { get; } = PreprocessingKeys.Encoder with { Layout = null };

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>The config an imported encoder is described by: the preset its head says (linear: v1, else v2) with the
    /// network (arch, width, stem and its padding, channels), the head's output dimension and kind, the queue's length when it came, and
    /// the preprocessing's input size, mean and std.</summary>
    public static PretrainConfig ConfigFor(ImportSummary import, ImportPreprocessing preprocessing)
    {
        ArgumentNullException.ThrowIfNull(import);
        ArgumentNullException.ThrowIfNull(preprocessing);
        ImportPreprocessing p = preprocessing.Resolve(import.Encoder);
        PretrainConfig preset = import.Head == ImportedHead.Linear ? PretrainConfig.V1 : PretrainConfig.V2;
        return preset with
        {
            Arch = ResNetOptions.ArchName(import.Encoder.Arch),
            Width = import.Encoder.Width,
            SmallImages = import.Encoder.SmallImages,
            StemPadding = import.Encoder.WithCanonicalStemPadding().StemPadding,
            InChannels = import.Encoder.InChannels,
            Dim = import.Head == ImportedHead.None ? preset.Dim : import.Encoder.NumClasses,
            Mlp = import.Head switch { ImportedHead.Linear => false, ImportedHead.Mlp => true, _ => preset.Mlp },
            QueueSize = import.QueueSize ?? preset.QueueSize,
            InputSize = p.InputSize!.Value,
            Mean = [.. p.Mean!],
            Std = [.. p.Std!],
        };
    }

    /// <summary>Writes <paramref name="import"/> to <paramref name="path"/> atomically (a temporary file renamed over the
    /// target; on any error nothing is left). Returns the config written.</summary>
    /// <param name="path">The checkpoint to write; its folder is created.</param>
    /// <param name="import">The imported tensors and what was recognised.</param>
    /// <param name="preprocessing">The preprocessing given; unset values come from the network (<see cref="ImportPreprocessing.Resolve"/>).</param>
    /// <param name="sourcePath">The file imported, for the provenance (its name, format and SHA-256).</param>
    /// <param name="format">The file's container.</param>
    /// <exception cref="ArgumentException">The preprocessing does not fit the network, or <paramref name="path"/> is the source.</exception>
    public static PretrainConfig Write(string path, ImportResult import, ImportPreprocessing preprocessing, string sourcePath, PyTorchFormat format)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(import);
        ArgumentException.ThrowIfNullOrEmpty(sourcePath);
        string full = Path.GetFullPath(path);
        if (string.Equals(full, Path.GetFullPath(sourcePath), StringComparison.Ordinal))
            throw new ArgumentException($"the checkpoint to write is the file imported ({path}): give another --out");
        PretrainConfig config = ConfigFor(import, preprocessing);
        ImportPreprocessing resolved = preprocessing.Resolve(import.Encoder);
        var provenance = new ImportProvenance
        {
            Source = Path.GetFileName(sourcePath),
            Sha256 = Sha256(sourcePath),
            Format = format.ToString().ToLowerInvariant(),
            Layout = CheckpointLayoutNames.Format(import.Layout),
            Head = import.Head.ToString().ToLowerInvariant(),
            KeyEncoder = import.HasKeyEncoder,
            QueueSize = import.QueueSize,
        };
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            [VersionKey] = Checkpoint.FormatVersion.ToString(CultureInfo.InvariantCulture),
            [MinReaderKey] = Checkpoint.OldestReadableVersion.ToString(CultureInfo.InvariantCulture),
            [ConfigKey] = JsonSerializer.Serialize(config, Json),
            [ProvenanceKey] = JsonSerializer.Serialize(provenance, Json),
        };
        resolved.ToEncoderPreprocessing(config.InChannels).WriteTo(metadata, PreprocessingKeys);

        var entries = new List<KeyValuePair<string, Tensor>>();
        const string Query = "encoder_q.", Key = "encoder_k.";
        var query = import.State.Where(kv => kv.Key.StartsWith(Query, StringComparison.Ordinal)).ToList();
        entries.AddRange(query);
        if (import.HasKeyEncoder) entries.AddRange(import.State.Where(kv => kv.Key.StartsWith(Key, StringComparison.Ordinal)));
        else entries.AddRange(query.Select(kv => new KeyValuePair<string, Tensor>(Key + kv.Key[Query.Length..], kv.Value)));
        entries.AddRange(import.State.Where(kv => kv.Key is "queue" or "queue_ptr"));
        string? folder = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        SafeTensors.Save(full, entries, metadata);
        return config;
    }

    /// <summary>The provenance of an imported checkpoint; null for one that was not imported.</summary>
    /// <exception cref="InvalidDataException">The key is there but unreadable.</exception>
    public static ImportProvenance? ReadProvenance(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue(ProvenanceKey, out string? json)) return null;
        try
        {
            return JsonSerializer.Deserialize<ImportProvenance>(json, Json) ?? throw new InvalidDataException($"the checkpoint's '{ProvenanceKey}' is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the checkpoint's '{ProvenanceKey}' is not its JSON: {e.Message}", e);
        }
    }

    /// <summary>The preprocessing of one of our own checkpoints read as a PyTorch file (its config's input size, mean and
    /// std, and a recorded resize), so that importing it keeps them; nothing set for any other file.</summary>
    /// <exception cref="InvalidDataException">The file is one of ours with an unreadable config.</exception>
    public static ImportPreprocessing RecordedPreprocessing(PyTorchFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (RecordedConfig(file) is not { } config) return new ImportPreprocessing();
        EncoderPreprocessing? recorded = ReadPreprocessing(file.Metadata, file.Path);
        return new ImportPreprocessing
        {
            InputSize = config.InputSize, Mean = config.Mean, Std = config.Std,
            Resize = recorded is { } r && r.CropSize == config.InputSize ? r.ResizeShorterSide : null,
        };
    }

    /// <summary>The config of one of our own checkpoints read as a PyTorch file (trained or imported: what built its
    /// network, including the stem's padding that no tensor shape tells); null for any other file.</summary>
    /// <exception cref="InvalidDataException">The file is one of ours with an unreadable config.</exception>
    internal static PretrainConfig? RecordedConfig(PyTorchFile file)
    {
        if (!file.Metadata.ContainsKey(VersionKey) || !file.Metadata.TryGetValue(ConfigKey, out string? json)) return null;
        try
        {
            return JsonSerializer.Deserialize<PretrainConfig>(json, Json) ?? throw new InvalidDataException($"{file.Path}: its '{ConfigKey}' is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file.Path}: its '{ConfigKey}' is not a config: {e.Message}", e);
        }
    }

    /// <summary>The preprocessing a checkpoint records (an imported one does); null when it records none.</summary>
    /// <exception cref="InvalidDataException">It is incomplete or unreadable.</exception>
    public static EncoderPreprocessing? ReadPreprocessing(IReadOnlyDictionary<string, string> metadata, string source) =>
        EncoderPreprocessing.FromMetadata(metadata, source, PreprocessingKeys);

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
