using System.Globalization;
using System.Text.Json;
using TorchSharp;
using MoCo.Training.Optim;
using MoCo.Training.Serialization;
using MoCo.Training.Method;

namespace MoCo.Training.Trainer;

/// <summary>Where a run stands: the next batch to train, and how much of the log belongs to the run so far.</summary>
public sealed record TrainingPosition
{
    /// <summary>The epoch of the next batch (0-based).</summary>
    public int Epoch { get; init; }
    /// <summary>The next batch within <see cref="Epoch"/>.</summary>
    public int Batch { get; init; }
    /// <summary>Optimisation steps done.</summary>
    public long GlobalStep { get; init; }
    /// <summary>Bytes of log.jsonl written up to this point (a resumed run cuts the log back to it).</summary>
    public long LogBytes { get; init; }
}

/// <summary>
/// A training checkpoint: one safetensors file with the model state under the official MoCo names (encoder_q.*, and
/// MoCo's encoder_k.*, queue, queue_ptr or the memory bank's memory_bank), the optimiser's momentum buffers (optimizer.state.{i}.momentum_buffer), the libtorch
/// CPU generator (rng.torch_cpu), and as metadata the config, the position and the format version. Written atomically.
/// </summary>
public static class Checkpoint
{
    /// <summary>The format this code writes.</summary>
    public const int FormatVersion = 1;
    /// <summary>The oldest format this code reads.</summary>
    public const int OldestReadableVersion = 1;

    internal const string OptimizerPrefix = "optimizer.";
    internal const string RngKey = "rng.torch_cpu";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>Writes the checkpoint atomically (temporary file, then rename).</summary>
    public static void Save(string path, ContrastiveModel model, SGD optimizer, PretrainConfig config, TrainingPosition position)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        using var scope = torch.NewDisposeScope();
        var entries = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, tensor) in model.StateEntries()) entries.Add(new(name, tensor));
        foreach (var (name, tensor) in optimizer.state_dict()) entries.Add(new(OptimizerPrefix + name, tensor));
        entries.Add(new(RngKey, torch.random.get_rng_state()));
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["moco.checkpoint_version"] = FormatVersion.ToString(CultureInfo.InvariantCulture),
            ["moco.min_reader_version"] = OldestReadableVersion.ToString(CultureInfo.InvariantCulture),
            ["moco.config"] = JsonSerializer.Serialize(config, Json),
            ["moco.position"] = JsonSerializer.Serialize(position, Json),
        };
        SafeTensors.Save(path, entries, metadata);
    }

    /// <summary>The config stored in a checkpoint.</summary>
    public static PretrainConfig ReadConfig(SafeTensors.Contents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        CheckVersion(contents);
        return Deserialize<PretrainConfig>(contents, "moco.config");
    }

    /// <summary>Restores model, optimiser and generator from a checkpoint; returns the position to continue from.</summary>
    /// <exception cref="InvalidDataException">The checkpoint is of another method than <paramref name="model"/>.</exception>
    public static TrainingPosition Restore(SafeTensors.Contents contents, ContrastiveModel model, SGD optimizer)
    {
        ArgumentNullException.ThrowIfNull(contents);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ContrastiveMethod stored = ReadConfig(contents).Method;
        if (stored != model.Method)
            throw new InvalidDataException($"the checkpoint is of a {ContrastiveMethodNames.Format(stored)} run, the model is {ContrastiveMethodNames.Format(model.Method)}");
        var modelState = contents.Tensors.Where(kv => !kv.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal) && kv.Key != RngKey)
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        model.LoadState(modelState);
        optimizer.load_state_dict(contents.Tensors.Where(kv => kv.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[OptimizerPrefix.Length..], kv => kv.Value));
        if (contents.Tensors.TryGetValue(RngKey, out Tensor? rng)) torch.random.set_rng_state(rng);
        return Deserialize<TrainingPosition>(contents, "moco.position");
    }

    private static void CheckVersion(SafeTensors.Contents contents)
    {
        if (!contents.Metadata.TryGetValue("moco.checkpoint_version", out string? v) || !int.TryParse(v, CultureInfo.InvariantCulture, out int version))
            throw new InvalidDataException("not a MoCo.MLNet training checkpoint (no moco.checkpoint_version in its metadata)");
        int minReader = contents.Metadata.TryGetValue("moco.min_reader_version", out string? m) && int.TryParse(m, CultureInfo.InvariantCulture, out int mr) ? mr : version;
        if (minReader > FormatVersion)
            throw new InvalidDataException($"the checkpoint needs a reader of format {minReader} or newer; this is format {FormatVersion}");
        if (version < OldestReadableVersion)
            throw new InvalidDataException($"the checkpoint has format {version}; the oldest this reads is {OldestReadableVersion}");
    }

    private static T Deserialize<T>(SafeTensors.Contents contents, string key)
    {
        if (!contents.Metadata.TryGetValue(key, out string? json)) throw new InvalidDataException($"the checkpoint has no '{key}'");
        return JsonSerializer.Deserialize<T>(json, Json) ?? throw new InvalidDataException($"the checkpoint's '{key}' is empty");
    }
}
