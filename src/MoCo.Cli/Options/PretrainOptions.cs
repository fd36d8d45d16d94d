using System.CommandLine;
using MoCo.Training.Method;
using MoCo.Training.Trainer;

namespace MoCo.Cli.Options;

/// <summary>
/// The pretraining recipe on the command line, declared once for <c>pretrain</c> and <c>ablate</c> (where it is the base
/// config of every point): one option per <see cref="PretrainConfig"/> field, each defaulting to the preset's value.
/// <c>--method</c> is <c>pretrain</c>'s only (<c>ablate</c> sweeps the method with <c>--methods</c>).
/// </summary>
internal sealed class PretrainOptions
{
    private readonly bool _withMethod;
    private readonly bool _withInit;

    internal PretrainOptions(bool withMethod, bool withInit = false)
    {
        _withMethod = withMethod;
        _withInit = withInit;
        Device = new DeviceOption("libtorch's device (a CUDA device needs the GPU build of TorchSharp: docs/gpu.md)");
    }

    internal Option<string> Preset { get; } = new("--preset") { Description = "v1 or v2: the defaults of every other option", DefaultValueFactory = _ => "v2" };
    internal Option<string?> Method { get; } = new("--method") { Description = "contrastive mechanism: moco, end-to-end (SimCLR's NT-Xent over the batch) or memory-bank (InstDisc); default moco" };
    internal Option<string?> Arch { get; } = new("--arch") { Description = "resnet18, resnet34 or resnet50 (default resnet50; resnet18 with --small-images)" };
    internal Option<int?> Width { get; } = new("--width") { Description = "base width (default 64, torchvision's)" };
    internal Option<bool?> SmallImages { get; } = new("--small-images") { Description = "3×3 stride-1 stem, no max-pool (default: views ≤ 64 px)" };
    internal Option<int?> StemPadding { get; } = new("--stem-padding") { Description = "conv1's zero padding (default: the stem's usual one, 1 for 3×3 and 3 for 7×7; solo-learn's CIFAR stem pads by 2)" };
    internal Option<int?> InChannels { get; } = new("--in-channels") { Description = "1 or 3 (default: the data's; image files 3)" };
    internal Option<int?> Dim { get; } = new("--dim") { Description = "embedding dimension (default 128)" };
    internal Option<int?> Batch { get; } = new("--batch") { Description = "training batch size (default 256)" };
    internal Option<int?> Queue { get; } = new("--queue") { Description = "negatives K: MoCo's queue length, the memory bank's sampled negatives (end-to-end: 2N − 2, tied to --batch; default 65536)" };
    internal Option<double?> Momentum { get; } = new("--momentum") { Description = "key-encoder momentum m (default 0.999)" };
    internal Option<double?> BankMomentum { get; } = new("--bank-momentum") { Description = "memory bank: momentum of the update on representations (default 0.5)" };
    internal Option<double?> Temperature { get; } = new("--temperature") { Description = "softmax temperature τ of the contrastive loss (v1 0.07, v2 0.2)" };
    internal Option<bool?> Mlp { get; } = new("--mlp") { Description = "MLP projection head (v1 false, v2 true)" };
    internal Option<bool?> Symmetric { get; } = new("--symmetric") { Description = "symmetric loss (MoCo only; default false)" };
    internal Option<int?> BnSplits { get; } = new("--bn-splits") { Description = "split BN sub-batches (default 1: plain BN; shuffle BN needs more)" };
    internal Option<bool?> ShuffleBn { get; } = new("--shuffle-bn") { Description = "shuffle the keys across BN sub-batches (default true; false lets the pretext task cheat through BN)" };
    internal Option<double?> Lr { get; } = new("--lr") { Description = "base SGD learning rate (default 0.03)" };
    internal Option<double?> WeightDecay { get; } = new("--weight-decay") { Description = "SGD weight decay (default 1e-4, ImageNet's; MoCo's CIFAR recipe uses 5e-4)" };
    internal Option<double?> SgdMomentum { get; } = new("--sgd-momentum") { Description = "SGD momentum (default 0.9)" };
    internal Option<int?> Epochs { get; } = new("--epochs") { Description = "epochs (default 200)" };
    internal Option<string?> Schedule { get; } = new("--schedule") { Description = "cosine or multistep learning-rate schedule (v1 multistep, v2 cosine)" };
    internal Option<string?> Milestones { get; } = new("--milestones") { Description = "multistep: comma list of epochs where the rate is multiplied by 0.1 (default 120,160)" };
    internal Option<bool?> LrPerStep { get; } = new("--lr-per-step") { Description = "update the learning rate every step (default: per epoch)" };
    internal Option<int?> WarmupEpochs { get; } = new("--warmup-epochs") { Description = "linear warm-up epochs (default 0)" };
    internal Option<double?> JitterProbability { get; } = new("--jitter-probability") { Description = "probability of colour jitter per view (v1 1, v2 0.8)" };
    internal Option<double?> MinCropScale { get; } = new("--min-crop-scale") { Description = "smallest area fraction of the random resized crop (default 0.2)" };
    internal Option<string?> Mean { get; } = new("--mean") { Description = "comma list: per-channel normalisation mean, 0–1 scale (default: Fashion-MNIST's for fashion-mnist, 0.5 for other IDX data, ImageNet's for image files)" };
    internal Option<string?> Std { get; } = new("--std") { Description = "comma list: per-channel normalisation standard deviation (defaults as --mean)" };
    internal Option<int?> Threads { get; } = new("--threads") { Description = "libtorch threads (default 0: libtorch's choice)" };
    internal Option<ulong?> Seed { get; } = new("--seed") { Description = "seed of initialisation, data order and augmentations (default 0)" };
    internal DeviceOption Device { get; }
    internal Option<bool?> Deterministic { get; } = new("--deterministic") { Description = "deterministic kernels (default true; false lets cuDNN autotune on a GPU: faster, not bit-exact)" };
    internal Option<bool?> FullAugmentation { get; } = new("--full-augmentation") { Description = "in-memory (IDX) data gets the preset's whole recipe, v2's blur and hue included (default true; false: the crop, flip, jitter and grayscale that runs before issue 23 had)" };
    internal Option<bool?> ChannelsLast { get; } = new("--channels-last") { Description = "NHWC activations on the CPU (default true: oneDNN convolutions without reorders; false for NCHW)" };
    internal Option<int?> LogEvery { get; } = new("--log-every") { Description = "steps between log lines (default 10)" };
    internal Option<string?> Init { get; } = new("--init") { Description = "start from this checkpoint's weights (a run's last.ckpt or one written by moco import): query and key encoders, the head where it fits; arch, width, stem and channels default to its own" };
    internal Option<bool> InitQueue { get; } = new("--init-queue") { Description = "with --init: take the checkpoint's queue too (it must have one of the run's --dim and --queue; default: a fresh queue)" };
    internal Option<int?> CheckpointEvery { get; } = new("--checkpoint-every") { Description = "steps between checkpoints (default 0: per epoch)" };

    internal IEnumerable<Option> All =>
    [
        Preset, .. _withMethod ? new Option[] { Method } : [], Arch, Width, SmallImages, StemPadding, InChannels, Dim, Batch, Queue, Momentum, BankMomentum, Temperature, Mlp,
        Symmetric, BnSplits, ShuffleBn, Lr, WeightDecay, SgdMomentum, Epochs, Schedule, Milestones, LrPerStep, WarmupEpochs, JitterProbability,
        MinCropScale, Mean, Std, FullAugmentation, Threads, Seed, Device.Option, Deterministic, ChannelsLast, LogEvery, CheckpointEvery,
        .. _withInit ? new Option[] { Init, InitQueue } : [],
    ];

    /// <summary>The config of the <c>--init</c> checkpoint (null without <c>--init</c>), read with the errors a run gives
    /// (no such file, a PyTorch file to <c>moco import</c> first, not one of our checkpoints).</summary>
    internal PretrainConfig? InitConfig(ParseResult r) => _withInit && r.GetValue(Init) is { } path ? PretrainRun.ReadInitConfig(path) : null;

    /// <summary>
    /// The preset with every option given applied, for views of <paramref name="viewSize"/> px from data of
    /// <paramref name="dataChannels"/> channels. <paramref name="normalisation"/> gives the default mean and std for the
    /// channels the encoder takes (<c>--in-channels</c>, else the data's); <c>--mean</c>/<c>--std</c> replace them and
    /// must have as many values. Not validated: <c>ablate</c> validates each point, <c>pretrain</c> the whole.
    /// <paramref name="init"/>, the <c>--init</c> checkpoint's config (<see cref="InitConfig"/>), gives the network
    /// (arch, width, stem, channels) where no option does; an option that names another is refused with both values.
    /// </summary>
    internal PretrainConfig Configure(ParseResult r, int viewSize, int dataChannels, Func<int, (double[] Mean, double[] Std)> normalisation,
                                      PretrainConfig? init = null)
    {
        var c = PretrainConfig.FromPreset(r.GetValue(Preset)!);
        if (init is not null)
        {
            string path = r.GetValue(Init)!;
            Agree(r.GetValue(Arch), init.Arch, "--arch", path);
            Agree(r.GetValue(Width), init.Width, "--width", path);
            Agree(r.GetValue(SmallImages), init.SmallImages, "--small-images", path);
            Agree(r.GetValue(InChannels), init.InChannels, "--in-channels", path);
            Agree(r.GetValue(StemPadding), init.StemPadding ?? (init.SmallImages ? 1 : 3), "--stem-padding", path);
        }
        bool small = r.GetValue(SmallImages) ?? init?.SmallImages ?? viewSize <= 64;
        int channels = r.GetValue(InChannels) ?? init?.InChannels ?? dataChannels;
        var (mean, std) = normalisation(channels);
        return c with
        {
            Method = _withMethod && r.GetValue(Method) is { } method ? ContrastiveMethodNames.Parse(method) : c.Method,
            Arch = r.GetValue(Arch) ?? init?.Arch ?? (small ? "resnet18" : c.Arch),
            Width = r.GetValue(Width) ?? init?.Width ?? c.Width,
            SmallImages = small,
            StemPadding = r.GetValue(StemPadding) ?? init?.StemPadding,   // else the --init checkpoint's (solo-learn's CIFAR stem pads by 2)
            InChannels = channels,
            Dim = r.GetValue(Dim) ?? c.Dim,
            BatchSize = r.GetValue(Batch) ?? c.BatchSize,
            QueueSize = r.GetValue(Queue) ?? c.QueueSize,
            Momentum = r.GetValue(Momentum) ?? c.Momentum,
            MemoryBankMomentum = r.GetValue(BankMomentum) ?? c.MemoryBankMomentum,
            Temperature = r.GetValue(Temperature) ?? c.Temperature,
            Mlp = r.GetValue(Mlp) ?? c.Mlp,
            Symmetric = r.GetValue(Symmetric) ?? c.Symmetric,
            BnSplits = r.GetValue(BnSplits) ?? c.BnSplits,
            ShuffleKeys = r.GetValue(ShuffleBn) ?? c.ShuffleKeys,
            LearningRate = r.GetValue(Lr) ?? c.LearningRate,
            WeightDecay = r.GetValue(WeightDecay) ?? c.WeightDecay,
            SgdMomentum = r.GetValue(SgdMomentum) ?? c.SgdMomentum,
            Epochs = r.GetValue(Epochs) ?? c.Epochs,
            Schedule = r.GetValue(Schedule) ?? c.Schedule,
            Milestones = r.GetValue(Milestones) is { } m ? OptionValues.List(m, OptionValues.Long, "--milestones").ToArray() : c.Milestones,
            LrPerStep = r.GetValue(LrPerStep) ?? c.LrPerStep,
            WarmupEpochs = r.GetValue(WarmupEpochs) ?? c.WarmupEpochs,
            JitterProbability = r.GetValue(JitterProbability) ?? c.JitterProbability,
            MinCropScale = r.GetValue(MinCropScale) ?? c.MinCropScale,
            InputSize = viewSize,
            Mean = r.GetValue(Mean) is { } mu ? Channels(OptionValues.List(mu, OptionValues.Double, "--mean"), mean.Length, "--mean") : mean,
            Std = r.GetValue(Std) is { } sd ? Channels(OptionValues.List(sd, OptionValues.Double, "--std"), std.Length, "--std") : std,
            Threads = r.GetValue(Threads) ?? c.Threads,
            Seed = r.GetValue(Seed) ?? c.Seed,
            Device = Device.Get(r).Name,
            Deterministic = r.GetValue(Deterministic) ?? c.Deterministic,
            ChannelsLast = r.GetValue(ChannelsLast) ?? c.ChannelsLast,
            FullAugmentation = r.GetValue(FullAugmentation) ?? c.FullAugmentation,
            LogEvery = r.GetValue(LogEvery) is { } every ? OptionValues.Positive(every, "--log-every") : c.LogEvery,
            CheckpointEvery = r.GetValue(CheckpointEvery) ?? c.CheckpointEvery,
            InitFrom = _withInit && r.GetValue(Init) is { } from ? new InitialWeights { Path = from, Queue = r.GetValue(InitQueue) } : null,
        };
    }

    private static void Agree<T>(T? given, T init, string option, string path) where T : struct
    {
        if (given is { } value && !EqualityComparer<T>.Default.Equals(value, init))
            throw new ArgumentException($"{option} {Format(value)} conflicts with the --init checkpoint {path}, whose network has {Format(init)}: leave out {option} to take the checkpoint's");
    }

    private static void Agree(string? given, string init, string option, string path)
    {
        if (given is not null && !string.Equals(given.Trim(), init, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{option} {given} conflicts with the --init checkpoint {path}, whose network is {init}: leave out {option} to take the checkpoint's");
    }

    private static string Format<T>(T value) => value is bool b ? (b ? "true" : "false") : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!;

    private static double[] Channels(List<double> values, int channels, string option) => values.Count == channels
        ? values.ToArray()
        : throw new ArgumentException($"{option} has {values.Count} value(s) for {channels} channel(s)");
}
