using MoCo.Evaluation;
using MoCo.Training.Models;
using MoCo.Training.Optim;
using MoCo.Training.Trainer;

namespace MoCo.Training.FineTuning;

/// <summary>
/// Everything a fine-tuning run needs to know, as data (saved in its checkpoint): the encoder (built as
/// <see cref="ResNet"/>, from a pretraining checkpoint's encoder_q or at random), the classifier's classes, the labelled
/// subset (<see cref="LabelsPerClass"/> or <see cref="LabelFraction"/>, drawn by <c>MoCo.Evaluation.StratifiedDraw</c>),
/// and the recipe. The defaults were chosen by measurement on Fashion-MNIST (docs/finetune.md): SGD with Nesterov
/// momentum 0.9, lr 0.01 for the backbone and 10× for the head, cosine schedule, 60 epochs, random resized crops of
/// 0.8–1 of the area with flips, BatchNorm's statistics recomputed on the labelled images at the end.
/// </summary>
public sealed record FineTuneConfig
{
    /// <summary>The word for a randomly initialised encoder in <see cref="Init"/>.</summary>
    public const string RandomInit = "random";

    /// <summary>The word for <see cref="HeadInit"/>: the classifier starts as the linear probe on the frozen features.</summary>
    public const string ProbeHeadInit = "probe";

    /// <summary>Where the encoder starts: a pretraining checkpoint's path (its encoder_q without the projection head) or
    /// <see cref="RandomInit"/> (default; torchvision's initialisation, seeded by <see cref="Seed"/>).</summary>
    public string Init { get; init; } = RandomInit;
    /// <summary>Encoder architecture ("resnet18", "resnet34", "resnet50"; default resnet18).</summary>
    public string Arch { get; init; } = "resnet18";
    /// <summary>Base width (default 64).</summary>
    public int Width { get; init; } = 64;
    /// <summary>3×3 stride-1 stem without max-pool (default true: Fashion-MNIST-sized images).</summary>
    public bool SmallImages { get; init; } = true;
    /// <summary>Padding of the stem's conv1 where it is not the stem's usual one (<see cref="ResNetOptions.StemPadding"/>; from
    /// the pretraining checkpoint: 2 for an imported solo-learn CIFAR encoder); null (default, and then not in JSON) for the usual.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? StemPadding { get; init; }
    /// <summary>Input channels (default 1).</summary>
    public int InChannels { get; init; } = 1;
    /// <summary>Outputs of the linear classifier (the largest label plus one).</summary>
    public int Classes { get; init; } = 10;
    /// <summary>The classes' names by index, for messages, the exported classifier and the ML.NET model (null, the
    /// default: "0", "1", …).</summary>
    public string[]? ClassNames { get; init; }
    /// <summary>Labelled images per class drawn from the training data (null with <see cref="LabelFraction"/>, or both
    /// null: every training image).</summary>
    public int? LabelsPerClass { get; init; }
    /// <summary>Fraction of each class's labelled images drawn (null: see <see cref="LabelsPerClass"/>).</summary>
    public double? LabelFraction { get; init; }
    /// <summary>Which seeded draw of the label subset (default 0).</summary>
    public int Draw { get; init; }
    /// <summary>Epochs (default 60).</summary>
    public int Epochs { get; init; } = 60;
    /// <summary>Batch size (default 64); an epoch's last, smaller batch is trained when it has at least 2 images.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>The backbone's base learning rate (default 0.01).</summary>
    public double LearningRate { get; init; } = 0.01;
    /// <summary>The classifier's base learning rate (null, the default: 10 × <see cref="LearningRate"/>).</summary>
    public double? HeadLearningRate { get; init; }
    /// <summary>SGD momentum (default 0.9).</summary>
    public double Momentum { get; init; } = 0.9;
    /// <summary>Nesterov momentum (default true).</summary>
    public bool Nesterov { get; init; } = true;
    /// <summary>SGD weight decay on every parameter (default 1e-4).</summary>
    public double WeightDecay { get; init; } = 1e-4;
    /// <summary>Keep every BatchNorm in eval mode while training: running statistics fixed (the pretrained ones) and used
    /// instead of the batch's; γ and β still learn. Default false.</summary>
    public bool FreezeBn { get; init; }
    /// <summary>How the classifier starts: <see cref="ProbeHeadInit"/> (the linear probe fitted on the frozen backbone's
    /// features of the labelled images, LP-FT: <c>ProbeHead</c>) or <see cref="RandomInit"/> (PyTorch's default
    /// initialisation). Default random; checkpoints written before this field read as random.</summary>
    public string HeadInit { get; init; } = RandomInit;
    /// <summary>After the last epoch, recompute every BatchNorm's running statistics on the labelled images through the
    /// evaluation transform ("precise BN"): training normalised each batch of augmented views by its own statistics,
    /// and the running averages it leaves describe augmented views, not the clean images the classifier is used on.
    /// Default true: measured on Fashion-MNIST at 10 labels per class, +0.5 points in each of 3 draws (docs/finetune.md).</summary>
    public bool RecalibrateBn { get; init; } = true;
    /// <summary>Smallest area fraction of the training views' random resized crop (default 0.8: chosen by measurement,
    /// docs/finetune.md; pretraining's 0.2 crops too hard for a classifier fitted on few labels).</summary>
    public double MinCropScale { get; init; } = 0.8;
    /// <summary>Side of the square views (the data's).</summary>
    public int InputSize { get; init; } = 28;
    /// <summary>Per-channel normalisation mean (0–1 scale; from the checkpoint when the encoder is pretrained).</summary>
    public double[] Mean { get; init; } = [MoCo.Imaging.Datasets.FashionMnist.Mean];
    /// <summary>Per-channel normalisation standard deviation.</summary>
    public double[] Std { get; init; } = [MoCo.Imaging.Datasets.FashionMnist.Std];
    /// <summary>Epochs between test evaluations (default 1: test top-1 after every epoch; 0: after the last only). The
    /// last epoch is always evaluated when a test set is given.</summary>
    public int EvalEvery { get; init; } = 1;
    /// <summary>Seed of the random initialisation, the label draw, data order and augmentations (default 0).</summary>
    public ulong Seed { get; init; }
    /// <summary>libtorch threads (0: libtorch's choice).</summary>
    public int Threads { get; init; }
    /// <summary>"cpu", "cuda" or "cuda:N" (default cpu).</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Deterministic kernels (default true: bit-exact resume on the CPU).</summary>
    public bool Deterministic { get; init; } = true;
    /// <summary>Channels-last activations on the CPU (default true, as pretraining).</summary>
    public bool ChannelsLast { get; init; } = true;

    /// <summary>The label budget of <see cref="LabelsPerClass"/> / <see cref="LabelFraction"/> (all when both are null).</summary>
    /// <exception cref="ArgumentException">Both are set, or the one set is out of range.</exception>
    [System.Text.Json.Serialization.JsonIgnore]
    public LabelBudget Budget => LabelBudget.Of(LabelsPerClass, LabelFraction);

    /// <summary>The classes' names in force: <see cref="ClassNames"/>, else the class indices as text.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> Names => ClassNames ?? [.. Enumerable.Range(0, Classes).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>The head's learning rate in force: <see cref="HeadLearningRate"/>, else 10 × <see cref="LearningRate"/>.</summary>
    public double HeadLr => HeadLearningRate ?? 10 * LearningRate;

    /// <summary>This recipe for the encoder of the pretraining checkpoint at <paramref name="path"/>: its architecture,
    /// width, stem (and its padding), channels and normalisation, with <see cref="Init"/> the path.</summary>
    public FineTuneConfig WithEncoderOf(string path, PretrainConfig pretraining)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(pretraining);
        return this with
        {
            Init = path, Arch = pretraining.Arch, Width = pretraining.Width, SmallImages = pretraining.SmallImages,
            StemPadding = pretraining.StemPadding, InChannels = pretraining.InChannels, Mean = pretraining.Mean, Std = pretraining.Std,
        };
    }

    internal ResNetOptions EncoderOptions => new()
    {
        Arch = ResNetOptions.ParseArch(Arch), Width = Width, SmallImages = SmallImages, StemPadding = StemPadding, InChannels = InChannels, NumClasses = Classes,
        ChannelsLast = ChannelsLast && TensorExtensions.ParseDevice(Device).type == DeviceType.CPU,
    };

    /// <summary>The cosine schedules (per epoch, as pretraining's) of the backbone and the head.</summary>
    internal (LearningRateSchedule backbone, LearningRateSchedule head) Schedules =>
        (new CosineSchedule(LearningRate, Epochs), new CosineSchedule(HeadLr, Epochs));

    /// <summary>Checks the values that would otherwise fail deep inside a run.</summary>
    public void Validate()
    {
        if (Classes < 2) throw new ArgumentException($"a classifier needs at least 2 classes, got {Classes}");
        if (Epochs <= 0) throw new ArgumentException($"epochs must be positive, got {Epochs}");
        if (BatchSize < 2) throw new ArgumentException($"the batch size must be at least 2 (BatchNorm in training), got {BatchSize}");
        if (!(LearningRate > 0)) throw new ArgumentException($"the learning rate must be positive, got {LearningRate}");
        if (!(HeadLr > 0)) throw new ArgumentException($"the head's learning rate must be positive, got {HeadLr}");
        if (Momentum < 0 || WeightDecay < 0) throw new ArgumentException("momentum and weight decay must be non-negative");
        if (Nesterov && Momentum <= 0) throw new ArgumentException("Nesterov momentum needs momentum > 0");
        _ = Budget;
        if (ClassNames is { } names && (names.Length != Classes || names.Distinct().Count() != names.Length || names.Any(string.IsNullOrEmpty)))
            throw new ArgumentException($"the classifier needs {Classes} distinct, non-empty class names, got {names.Length}");
        if (Draw < 0) throw new ArgumentException($"the draw's index must be non-negative, got {Draw}");
        if (HeadInit is not (RandomInit or ProbeHeadInit)) throw new ArgumentException($"the head's initialisation must be '{RandomInit}' or '{ProbeHeadInit}', got '{HeadInit}'");
        if (EvalEvery < 0) throw new ArgumentException($"epochs between evaluations must be non-negative, got {EvalEvery}");
        if (!(MinCropScale > 0 && MinCropScale <= 1)) throw new ArgumentException($"the crop scale must lie in (0, 1], got {MinCropScale}");
        if (Mean.Length != InChannels || Std.Length != InChannels)
            throw new ArgumentException($"mean/std have {Mean.Length}/{Std.Length} values for {InChannels} channels");
        _ = EncoderOptions;
    }
}
