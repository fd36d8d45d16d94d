using TorchSharp;
using TorchSharp.Modules;
using MoCo.Training.Models;
using MoCo.Training.Serialization;
using MoCo.Training.Trainer;
using static TorchSharp.torch;

namespace MoCo.Training.FineTuning;

/// <summary>
/// The network fine-tuning trains: a <see cref="ResNet"/> whose head <c>fc</c> is a new linear classifier on the pooled
/// backbone features (Linear(D, classes), PyTorch's default initialisation), so its state has torchvision's names
/// (conv1.weight, …, fc.weight, fc.bias). The backbone comes from a pretraining checkpoint's encoder_q (its projection
/// head dropped) or from torchvision's random initialisation. Its parameters fall in two groups, each with its own
/// learning rate: the backbone's and the head's (fc.*).
/// </summary>
public sealed class FineTuneModel : IDisposable
{
    private const string HeadPrefix = "fc.";
    private const string EncoderPrefix = "encoder_q.";

    private FineTuneModel(ResNet network, bool freezeBn)
    {
        Network = network;
        FreezeBn = freezeBn;
    }

    /// <summary>The network: backbone plus classifier; <c>forward</c> gives the logits, N × classes.</summary>
    public ResNet Network { get; }

    /// <summary>Whether BatchNorm stays in eval mode while training (<see cref="FineTuneConfig.FreezeBn"/>).</summary>
    public bool FreezeBn { get; }

    /// <summary>The network <paramref name="config"/> describes, initialised at random from libtorch's generator seeded
    /// with <see cref="FineTuneConfig.Seed"/> (the classifier too), then, unless <see cref="FineTuneConfig.Init"/> is
    /// random, with the backbone of that pretraining checkpoint.</summary>
    public static FineTuneModel Create(FineTuneConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        manual_seed(unchecked((long)config.Seed));
        var model = new FineTuneModel(new ResNet(config.EncoderOptions), config.FreezeBn);
        if (config.Init == FineTuneConfig.RandomInit) return model;
        try
        {
            using var contents = SafeTensors.Load(config.Init);
            model.LoadBackbone(contents);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Copies a pretraining checkpoint's encoder_q.* tensors, except its head (encoder_q.fc.*), into the
    /// backbone; the classifier keeps its initialisation.</summary>
    /// <exception cref="InvalidDataException">The checkpoint holds no encoder_q.</exception>
    /// <exception cref="ArgumentException">Its backbone's names or shapes differ from this network's.</exception>
    public void LoadBackbone(SafeTensors.Contents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        _ = Checkpoint.ReadConfig(contents);   // a pretraining checkpoint of a version this reads
        var state = contents.Tensors
            .Where(kv => kv.Key.StartsWith(EncoderPrefix, StringComparison.Ordinal) && !kv.Key.StartsWith(EncoderPrefix + HeadPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[EncoderPrefix.Length..], kv => kv.Value);
        if (state.Count == 0) throw new InvalidDataException("the checkpoint holds no encoder_q.* tensors");
        foreach (var (name, tensor) in Network.StateEntries().Where(e => IsHead(e.name))) state[name] = tensor;
        Network.LoadState(state);
    }

    /// <summary>The backbone's parameters (everything but fc.*), in state order.</summary>
    public IEnumerable<Parameter> BackboneParameters() => Network.named_parameters().Where(p => !IsHead(p.name)).Select(p => p.parameter);

    /// <summary>The classifier's parameters (fc.weight, fc.bias).</summary>
    public IEnumerable<Parameter> HeadParameters() => Network.named_parameters().Where(p => IsHead(p.name)).Select(p => p.parameter);

    /// <summary>Training mode; with <see cref="FreezeBn"/>, every BatchNorm back in eval mode.</summary>
    public void Train()
    {
        Network.train();
        if (!FreezeBn) return;
        foreach (var (_, module) in Network.named_modules())
        {
            if (module is BatchNorm2d bn) bn.eval();
        }
    }

    /// <summary>Moves the network to <paramref name="device"/>.</summary>
    public void To(Device device) => Network.to(device);

    private static bool IsHead(string name) => name.StartsWith(HeadPrefix, StringComparison.Ordinal);

    /// <summary>Frees the network.</summary>
    public void Dispose() => Network.Dispose();
}
