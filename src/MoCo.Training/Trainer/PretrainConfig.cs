using MoCo.Training.Data;
using MoCo.Training.Method;
using MoCo.Training.Models;
using MoCo.Training.Optim;

namespace MoCo.Training.Trainer;

/// <summary>
/// Everything a pretraining run needs to know, as data: the presets <see cref="V1"/> and <see cref="V2"/> are values,
/// every field can be overridden (<c>V2 with { BatchSize = 128 }</c>). The config is saved in every checkpoint and
/// exported model.
/// </summary>
public sealed record PretrainConfig
{
    /// <summary>"v1" or "v2": where the defaults came from.</summary>
    public string Preset { get; init; } = "v2";
    /// <summary>The contrastive mechanism (default <see cref="ContrastiveMethod.MoCo"/>). Written to JSON by name only when it is
    /// not MoCo, so a MoCo run's config (in checkpoints and exported models) reads as before the field existed, and a config
    /// without it, such as a checkpoint written before, is MoCo.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public ContrastiveMethod Method { get; init; } = ContrastiveMethod.MoCo;
    /// <summary>Encoder architecture ("resnet18", "resnet34", "resnet50").</summary>
    public string Arch { get; init; } = "resnet50";
    /// <summary>Base width (torchvision: 64).</summary>
    public int Width { get; init; } = 64;
    /// <summary>3×3 stride-1 stem without max-pool, for small images.</summary>
    public bool SmallImages { get; init; }
    /// <summary>Padding of the stem's conv1 where it is not the stem's usual one (<see cref="ResNetOptions.StemPadding"/>:
    /// 2 for solo-learn's CIFAR stem, set by <c>moco import</c>); null (the default, and then not in JSON, so every
    /// config written before the field existed reads as the network it built) for the usual 1 (3×3) or 3 (7×7).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? StemPadding { get; init; }
    /// <summary>Input channels (1 or 3).</summary>
    public int InChannels { get; init; } = 3;
    /// <summary>Embedding dimension.</summary>
    public int Dim { get; init; } = 128;
    /// <summary>Negatives K: MoCo's queue length, the memory bank's sampled negatives; end-to-end has 2N − 2 and ignores it.</summary>
    public int QueueSize { get; init; } = 65536;
    /// <summary>Key-encoder momentum m (MoCo).</summary>
    public double Momentum { get; init; } = 0.999;
    /// <summary>Memory bank: momentum of the update on representations (default 0.5, InstDisc's). In JSON only for
    /// memory-bank runs.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double MemoryBankMomentum { get; init; } = 0.5;
    // Keeps the config JSON of MoCo and end-to-end runs as it was before the memory bank existed.
    [System.Text.Json.Serialization.JsonInclude]
    [System.Text.Json.Serialization.JsonPropertyName(nameof(MemoryBankMomentum))]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    private double? MemoryBankMomentumJson
    {
        get => Method == ContrastiveMethod.MemoryBank ? MemoryBankMomentum : null;
        init => MemoryBankMomentum = value ?? 0.5;
    }
    /// <summary>Temperature τ.</summary>
    public double Temperature { get; init; } = 0.2;
    /// <summary>MLP head (v2).</summary>
    public bool Mlp { get; init; } = true;
    /// <summary>Symmetric loss (MoCo only).</summary>
    public bool Symmetric { get; init; }
    /// <summary>BN sub-batches (split BN on one device; 1 = plain BN).</summary>
    public int BnSplits { get; init; } = 1;
    /// <summary>Shuffle BN: the key batch is shuffled before the key encoder and un-shuffled after, so split BN's
    /// sub-batch statistics cannot pair a query with its own key (paper §3.3). Default true; false is the ablation
    /// where the pretext task can cheat through BN. In JSON only when false.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool ShuffleKeys { get; init; } = true;
    // Keeps the config JSON of runs with shuffle BN (all before the ablation) as it was.
    [System.Text.Json.Serialization.JsonInclude]
    [System.Text.Json.Serialization.JsonPropertyName(nameof(ShuffleKeys))]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    private bool? ShuffleKeysJson
    {
        get => ShuffleKeys ? null : false;
        init => ShuffleKeys = value ?? true;
    }
    /// <summary>Batch size.</summary>
    public int BatchSize { get; init; } = 256;
    /// <summary>Base SGD learning rate.</summary>
    public double LearningRate { get; init; } = 0.03;
    /// <summary>SGD weight decay.</summary>
    public double WeightDecay { get; init; } = 1e-4;
    /// <summary>SGD momentum.</summary>
    public double SgdMomentum { get; init; } = 0.9;
    /// <summary>Epochs.</summary>
    public int Epochs { get; init; } = 200;
    /// <summary>"cosine" (v2) or "multistep" (v1) learning-rate schedule, per epoch.</summary>
    public string Schedule { get; init; } = "cosine";
    /// <summary>Epochs where the multistep schedule multiplies the rate by 0.1 (v1: 120, 160).</summary>
    public long[] Milestones { get; init; } = [120, 160];
    /// <summary>Update the learning rate every step (true) or at each epoch's start (false, the official code's way). Default false.</summary>
    public bool LrPerStep { get; init; }
    /// <summary>Epochs of linear warm-up from a third of the rate (0: none). Default 0.</summary>
    public int WarmupEpochs { get; init; }
    /// <summary>Seed of initialisation, data order and augmentations.</summary>
    public ulong Seed { get; init; }
    /// <summary>libtorch threads (0: libtorch's default).</summary>
    public int Threads { get; init; }
    /// <summary>Device: "cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Channels-last activations on the CPU (oneDNN's NHWC convolutions, which need no layout reorders; split
    /// BN runs in C# kernels on the NHWC memory). Default true: on the Fashion-MNIST benchmark it trains ~1.2× faster
    /// than NCHW (docs/benchmarks.md). Ignored off the CPU.</summary>
    public bool ChannelsLast { get; init; } = true;
    /// <summary>Deterministic kernels. CPU: libtorch's deterministic algorithms (bit-exact resume). CUDA: cuDNN's deterministic
    /// convolutions without autotuning; false lets cuDNN autotune (faster, as the official code). Default true.</summary>
    public bool Deterministic { get; init; } = true;
    /// <summary>Steps between log lines.</summary>
    public int LogEvery { get; init; } = 10;
    /// <summary>Steps between checkpoints (0: only at the end of each epoch).</summary>
    public int CheckpointEvery { get; init; }
    /// <summary>kNN monitor: neighbours.</summary>
    public int KnnK { get; init; } = MoCo.Evaluation.KnnOptions.DefaultK;
    /// <summary>kNN monitor: vote temperature.</summary>
    public double KnnTemperature { get; init; } = 0.1; // MoCo.Evaluation.KnnOptions.DefaultTemperature as a double (the float 0.1f would widen to 0.100000001 and change the config JSON)
    /// <summary>Side of the square training views (the data's, e.g. 28 for Fashion-MNIST, 224 for photos).</summary>
    public int InputSize { get; init; } = 224;
    /// <summary>Per-channel normalisation mean (0–1 scale) the views were normalised with.</summary>
    public double[] Mean { get; init; } = [.. MoCo.Imaging.Transforms.ImageNetStatistics.Mean];
    /// <summary>Per-channel normalisation standard deviation (0–1 scale).</summary>
    public double[] Std { get; init; } = [.. MoCo.Imaging.Transforms.ImageNetStatistics.Std];
    /// <summary>Augmentation: probability of colour jitter (v1: 1, v2: 0.8).</summary>
    public double JitterProbability { get; init; } = 0.8;
    /// <summary>Augmentation: minimum crop area fraction.</summary>
    public double MinCropScale { get; init; } = 0.2;
    /// <summary>In-memory data gets the preset's whole augmentation recipe, as image files do: v2's Gaussian blur, the
    /// hue jitter, v1's grayscale before the jitter. True in <see cref="V1"/> and <see cref="V2"/>; false (in JSON only when
    /// true) in configs written before in-memory data had those steps, whose runs resume with the recipe they started
    /// with (<see cref="BatchedAugmentation.WithoutBlurAndHue"/>, which the run's start-up note lists).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool FullAugmentation { get; init; }
    /// <summary>Where the weights started from (<c>moco pretrain --init</c>): a checkpoint's path and SHA-256, and whether
    /// its queue was taken; null (the default, and then not in JSON, so other configs read as before) for random
    /// initialisation from <see cref="Seed"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public InitialWeights? InitFrom { get; init; }

    /// <summary>MoCo v1: τ 0.07, linear head, jitter always, SGD lr 0.03 ×0.1 at epochs 120 and 160 of 200.</summary>
    public static PretrainConfig V1 { get; } = new()
    {
        Preset = "v1", Temperature = 0.07, Mlp = false, JitterProbability = 1.0, Schedule = "multistep", FullAugmentation = true,
    };

    /// <summary>MoCo v2: τ 0.2, MLP head, jitter p 0.8, cosine schedule over 200 epochs.</summary>
    public static PretrainConfig V2 { get; } = new() { FullAugmentation = true };

    /// <summary>The preset named "v1" or "v2".</summary>
    public static PretrainConfig FromPreset(string name) => name.Trim().ToLowerInvariant() switch
    {
        "v1" => V1,
        "v2" => V2,
        _ => throw new ArgumentException($"unknown preset '{name}': use v1 or v2", nameof(name)),
    };

    internal ResNetOptions EncoderOptions => new()
    {
        Arch = ResNetOptions.ParseArch(Arch), Width = Width, SmallImages = SmallImages, StemPadding = StemPadding, InChannels = InChannels, BnSplits = BnSplits,
        ChannelsLast = ChannelsLast && TensorExtensions.ParseDevice(Device).type == DeviceType.CPU,
    };

    internal MoCoOptions MoCoOptions => new()
    {
        Dim = Dim, QueueSize = QueueSize, Momentum = Momentum, MemoryBankMomentum = MemoryBankMomentum, Temperature = Temperature, Mlp = Mlp,
        Symmetric = Symmetric, ShuffleKeys = ShuffleKeys,
    };

    /// <summary>The schedule in the unit the trainer counts in: epochs, or steps when <see cref="LrPerStep"/>.</summary>
    internal LearningRateSchedule LearningRateScheduleFor(int batchesPerEpoch)
    {
        long unit = LrPerStep ? batchesPerEpoch : 1;
        LearningRateSchedule main = Schedule switch
        {
            "cosine" => new CosineSchedule(LearningRate, Epochs * unit),
            "multistep" => new MultiStepSchedule(LearningRate, Milestones.Select(m => m * unit).ToArray()),
            _ => throw new ArgumentException($"unknown schedule '{Schedule}': use cosine or multistep"),
        };
        return WarmupEpochs > 0 ? new WarmupSchedule(main, WarmupEpochs * unit) : main;
    }

    /// <summary>The preset's augmentation recipe (<see cref="MoCo.Imaging.Transforms.MoCoAugmentation.V1"/> or
    /// <see cref="MoCo.Imaging.Transforms.MoCoAugmentation.V2"/>) at <paramref name="size"/>, with this config's crop scale,
    /// jitter probability and normalisation: the one recipe both data paths run.</summary>
    public MoCo.Imaging.Transforms.MoCoAugmentation AugmentationRecipe(int size, double[] mean, double[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        var recipe = Preset == "v1" ? MoCo.Imaging.Transforms.MoCoAugmentation.V1(size) : MoCo.Imaging.Transforms.MoCoAugmentation.V2(size);
        return recipe with
        {
            Crop = recipe.Crop with { ScaleMin = MinCropScale }, JitterProbability = JitterProbability,
            Mean = [.. mean.Select(v => (float)v)], Std = [.. std.Select(v => (float)v)],
        };
    }

    /// <summary>The batched augmentation for in-memory data of the given side and normalisation: the preset's recipe
    /// (<see cref="AugmentationRecipe"/>), without blur and hue when <see cref="FullAugmentation"/> is false.</summary>
    internal BatchedAugmentation Augmentation(int size, double[] mean, double[] std)
    {
        var batched = BatchedAugmentation.From(AugmentationRecipe(size, mean, std)) with { Mean = mean, Std = std };
        return FullAugmentation ? batched : batched.WithoutBlurAndHue();
    }

    /// <summary>Checks the values that would otherwise fail deep inside a run.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Method)) throw new ArgumentException($"unknown method {(int)Method}: use {string.Join(", ", ContrastiveMethodNames.All)}");
        if (BatchSize <= 0) throw new ArgumentException($"the batch size must be positive, got {BatchSize}");
        if (Epochs <= 0) throw new ArgumentException($"epochs must be positive, got {Epochs}");
        if (LearningRate <= 0) throw new ArgumentException($"the learning rate must be positive, got {LearningRate}");
        if (Method == ContrastiveMethod.MoCo)
        {
            int keysPerStep = BatchSize * (Symmetric ? 2 : 1);
            if (QueueSize % keysPerStep != 0)
                throw new ArgumentException($"the queue size {QueueSize} must be divisible by the keys enqueued per step ({keysPerStep})");
        }
        else if (Symmetric)
        {
            throw new ArgumentException($"the symmetric loss is MoCo's; {ContrastiveMethodNames.Format(Method)} does not take it" +
                                        (Method == ContrastiveMethod.EndToEnd ? " (NT-Xent is symmetric already)" : ""));
        }
        if (Method == ContrastiveMethod.EndToEnd && BatchSize < 2)
            throw new ArgumentException($"end-to-end needs a batch of at least 2 images (2N − 2 negatives), got {BatchSize}");
        if (BatchSize % BnSplits != 0) throw new ArgumentException($"the batch size {BatchSize} must be divisible by {BnSplits} BN splits");
        _ = EncoderOptions;
        if (WarmupEpochs < 0 || WarmupEpochs >= Epochs) throw new ArgumentException($"warm-up epochs must lie in [0, {Epochs}), got {WarmupEpochs}");
        _ = LearningRateScheduleFor(1);
        MoCoOptions.Validate();
    }
}
