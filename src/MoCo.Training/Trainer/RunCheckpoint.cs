using MoCo.Training.Method;
using MoCo.Training.Optim;
using MoCo.Training.Serialization;

namespace MoCo.Training.Trainer;

/// <summary>A run's checkpoint file: saving the model, optimiser, config and position (with the log's length), and
/// saying where the last saved one stands.</summary>
internal sealed class RunCheckpoint(string path, ContrastiveModel model, SGD optimizer, PretrainConfig config)
{
    /// <summary>The checkpoint's path.</summary>
    internal string Path { get; } = path;

    /// <summary>Saves <paramref name="position"/> with <paramref name="logBytes"/> of log; returns the position as saved.</summary>
    internal TrainingPosition Save(TrainingPosition position, long logBytes)
    {
        position = position with { LogBytes = logBytes };
        Checkpoint.Save(Path, model, optimizer, config, position);
        return position;
    }

    /// <summary>The position stored in the checkpoint on disk, for messages: "none yet", "unreadable", or its JSON.</summary>
    internal string LastSavedPosition()
    {
        if (!File.Exists(Path)) return "none yet";
        try
        {
            using var contents = SafeTensors.Load(Path);
            return contents.Metadata.TryGetValue("moco.position", out string? p) ? p : "unknown";
        }
        catch (InvalidDataException)
        {
            return "unreadable";
        }
    }
}
