using System.Globalization;
using System.Text.Json;
using MoCo.Training.Optim;
using MoCo.Training.Serialization;
using MoCo.Training.Trainer;
using static TorchSharp.torch;

namespace MoCo.Training.FineTuning;

/// <summary>
/// A fine-tuning checkpoint: one safetensors file (written atomically) with the network's state under torchvision's
/// names (conv1.weight, …, fc.weight), both optimisers' momentum buffers (optimizer.backbone.state.{i}.momentum_buffer,
/// optimizer.head.state.{i}.momentum_buffer), the libtorch CPU generator (rng.torch_cpu), the drawn training images'
/// indices (train_indices, int64), and as metadata the config, the position and the format version.
/// </summary>
public static class FineTuneCheckpoint
{
    /// <summary>The format this code writes.</summary>
    public const int FormatVersion = 1;
    /// <summary>The oldest format this code reads.</summary>
    public const int OldestReadableVersion = 1;

    private const string Backbone = "optimizer.backbone.", Head = "optimizer.head.", Rng = "rng.torch_cpu", Indices = "train_indices";
    private const string VersionKey = "moco.finetune_version", ConfigKey = "moco.finetune.config", PositionKey = "moco.position";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>Writes the checkpoint to <paramref name="path"/>.</summary>
    internal static void Save(string path, FineTuneModel model, SGD backbone, SGD head, FineTuneConfig config, TrainingPosition position, int[] indices)
    {
        using var scope = NewDisposeScope();
        var entries = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, tensor) in model.Network.StateEntries()) entries.Add(new(name, tensor));
        foreach (var (name, tensor) in backbone.state_dict()) entries.Add(new(Backbone + name, tensor));
        foreach (var (name, tensor) in head.state_dict()) entries.Add(new(Head + name, tensor));
        entries.Add(new(Rng, random.get_rng_state()));
        entries.Add(new(Indices, tensor(indices.Select(i => (long)i).ToArray())));
        SafeTensors.Save(path, entries, new Dictionary<string, string>
        {
            ["format"] = "pt",
            [VersionKey] = FormatVersion.ToString(CultureInfo.InvariantCulture),
            ["moco.min_reader_version"] = OldestReadableVersion.ToString(CultureInfo.InvariantCulture),
            [ConfigKey] = JsonSerializer.Serialize(config, Json),
            [PositionKey] = JsonSerializer.Serialize(position, Json),
        });
    }

    /// <summary>The config stored in a fine-tuning checkpoint.</summary>
    /// <exception cref="InvalidDataException">Not a fine-tuning checkpoint, or of a newer format.</exception>
    public static FineTuneConfig ReadConfig(SafeTensors.Contents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        if (!contents.Metadata.TryGetValue(VersionKey, out string? v) || !int.TryParse(v, CultureInfo.InvariantCulture, out int version))
            throw new InvalidDataException($"not a fine-tuning checkpoint (no {VersionKey} in its metadata)");
        int minReader = contents.Metadata.TryGetValue("moco.min_reader_version", out string? m) && int.TryParse(m, CultureInfo.InvariantCulture, out int mr) ? mr : version;
        if (minReader > FormatVersion) throw new InvalidDataException($"the checkpoint needs a reader of format {minReader} or newer; this is format {FormatVersion}");
        if (version < OldestReadableVersion) throw new InvalidDataException($"the checkpoint has format {version}; the oldest this reads is {OldestReadableVersion}");
        return Deserialize<FineTuneConfig>(contents, ConfigKey);
    }

    /// <summary>Restores network, optimisers and generator; checks the training images are those the run drew;
    /// returns the position to continue from.</summary>
    internal static TrainingPosition Restore(SafeTensors.Contents contents, FineTuneModel model, SGD backbone, SGD head, int[] indices)
    {
        _ = ReadConfig(contents);
        long[] saved = contents.Tensors.TryGetValue(Indices, out Tensor? t) ? t.data<long>().ToArray() : throw new InvalidDataException($"the checkpoint has no {Indices}");
        if (!saved.SequenceEqual(indices.Select(i => (long)i)))
            throw new InvalidDataException($"the training data's labelled draw ({indices.Length} images) is not the one the checkpoint trained on ({saved.Length} images): resume with the same --train data and options");
        var state = contents.Tensors.Where(kv => !kv.Key.StartsWith("optimizer.", StringComparison.Ordinal) && kv.Key != Rng && kv.Key != Indices)
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        model.Network.LoadState(state);
        backbone.load_state_dict(Prefixed(contents, Backbone));
        head.load_state_dict(Prefixed(contents, Head));
        if (contents.Tensors.TryGetValue(Rng, out Tensor? rng)) random.set_rng_state(rng);
        return Deserialize<TrainingPosition>(contents, PositionKey);
    }

    private static Dictionary<string, Tensor> Prefixed(SafeTensors.Contents contents, string prefix) =>
        contents.Tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);

    private static T Deserialize<T>(SafeTensors.Contents contents, string key)
    {
        if (!contents.Metadata.TryGetValue(key, out string? json)) throw new InvalidDataException($"the checkpoint has no '{key}'");
        return JsonSerializer.Deserialize<T>(json, Json) ?? throw new InvalidDataException($"the checkpoint's '{key}' is empty");
    }
}
