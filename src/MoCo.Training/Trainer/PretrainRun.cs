using System.Globalization;
using TorchSharp;
using MoCo.Training.Optim;
using MoCo.Training.Serialization;
using MoCo.Training.Data;
using MoCo.Training.Evaluation;
using MoCo.Training.Method;
using static TorchSharp.torch;

namespace MoCo.Training.Trainer;

/// <summary>The loss became NaN or infinite: the run stopped, and the last good checkpoint was kept.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message)
{
    /// <summary>Creates the exception with a generic message.</summary>
    public TrainingDivergedException() : this("the training loss diverged") { }
    /// <summary>Creates the exception with a message and its cause.</summary>
    public TrainingDivergedException(string message, Exception inner) : this(message + ": " + inner.Message) { }
}

/// <summary>
/// A contrastive pretraining run (MoCo, end-to-end or memory bank: <see cref="PretrainConfig.Method"/>) writing to a directory: last.ckpt (safetensors; every <see cref="PretrainConfig.CheckpointEvery"/>
/// steps and at each epoch's end), log.jsonl, curves.svg. A killed run resumes exactly where its checkpoint stands:
/// same data order, augmentations, generator state, optimiser state and the method's state (queue, memory bank), so it gives the losses an
/// uninterrupted run gives (bit-exact on CPU with deterministic algorithms).
/// </summary>
/// <remarks>The run holds the schedule and the loop; the step is <see cref="TrainingStep"/>, the log and progress
/// <see cref="TrainingMeter"/>, the end of an epoch <see cref="EpochEnd"/>. The process-wide settings it needs are
/// <see cref="TrainingEnvironment"/>'s: set them before (the CLI does); a run started without them in force applies
/// its config's.</remarks>
public sealed class PretrainRun : IDisposable
{
    /// <summary>The checkpoint's file name in the run directory.</summary>
    public const string CheckpointFile = "last.ckpt";
    /// <summary>The log's file name in the run directory.</summary>
    public const string LogFile = "log.jsonl";
    /// <summary>The curves' file name in the run directory.</summary>
    public const string CurvesFile = "curves.svg";
    /// <summary>The file listing samples the data source could not read (written when there are any).</summary>
    public const string SkippedFile = "skipped.txt";

    private readonly IViewPairSource data;
    private readonly string directory;
    private readonly SGD optimizer;
    private readonly LearningRateSchedule schedule;
    private readonly Device device;
    private readonly TrainingStep step;
    private readonly RunCheckpoint checkpoint;
    private readonly EpochEnd epochEnd;
    private TrainingPosition position;

    private PretrainRun(PretrainConfig config, IViewPairSource data, KnnMonitor? knn, string directory, SafeTensors.Contents? saved,
                        InitialWeightsFile? init = null)
    {
        config.Validate();
        Config = config;
        this.data = data;
        this.directory = directory;
        device = TensorExtensions.ParseDevice(config.Device);
        if (device.type == DeviceType.CUDA && !cuda.is_available())
            throw new InvalidOperationException($"device {device} was asked for, but {Native.LibTorchLocation.NoCudaReason()}");
        TrainingEnvironment.EnsureFor(config);
        int c = data.ViewShape.channels;
        if (c != config.InChannels) throw new ArgumentException($"the data has {c} channels, the encoder takes {config.InChannels}");
        if (data.BatchesPerEpoch(config.BatchSize) == 0) throw new ArgumentException($"{data.Count} images make no full batch of {config.BatchSize}");

        manual_seed(unchecked((long)config.Seed));
        Model = ContrastiveModel.Create(config.Method, config.EncoderOptions, config.MoCoOptions, data.Count);
        Model.to(device);
        // Only a new run reads --init; a resumed one has everything in its checkpoint.
        if (init is not null) Initialisation = init.Apply(Model, config, config.InitFrom!.Queue);
        optimizer = new SGD(Model.encoder_q.parameters(), config.LearningRate, config.SgdMomentum, dampening: 0, weightDecay: config.WeightDecay, nesterov: false);
        schedule = config.LearningRateScheduleFor(data.BatchesPerEpoch(config.BatchSize));
        position = saved is null ? new TrainingPosition() : Checkpoint.Restore(saved, Model, optimizer);
        step = new TrainingStep(Model, optimizer);
        checkpoint = new RunCheckpoint(Path.Combine(directory, CheckpointFile), Model, optimizer, config);
        epochEnd = new EpochEnd(directory, data, knn, Model, device, checkpoint, config.BatchSize);
        Directory.CreateDirectory(directory);
    }

    /// <summary>Starts a new run in <paramref name="directory"/> (an existing checkpoint there is overwritten). With
    /// <see cref="PretrainConfig.InitFrom"/>, the weights come from that checkpoint (<see cref="InitialWeights"/>; what was
    /// taken: <see cref="Initialisation"/>) and the run's config records its SHA-256.</summary>
    /// <exception cref="FileNotFoundException">The <see cref="PretrainConfig.InitFrom"/> file does not exist.</exception>
    /// <exception cref="InvalidDataException">It is not one of our checkpoints (a PyTorch file: <c>moco import</c> it first).</exception>
    /// <exception cref="ArgumentException">Its network is not the run's, its SHA-256 is not the config's, or the queue
    /// asked for does not fit.</exception>
    public static PretrainRun Start(PretrainConfig config, IViewPairSource data, KnnMonitor? knn, string directory)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (config.InitFrom is not { } initFrom) return new PretrainRun(config, data, knn, directory, null);
        using var init = InitialWeightsFile.Open(initFrom.Path);
        if (initFrom.Sha256.Length > 0 && !string.Equals(initFrom.Sha256, init.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"--init {initFrom.Path}: its SHA-256 is {init.Sha256}, the config's {initFrom.Sha256}: the file changed");
        init.CheckArchitecture(config);
        return new PretrainRun(config with { InitFrom = initFrom with { Sha256 = init.Sha256 } }, data, knn, directory, null, init);
    }

    /// <summary>The config stored in an <c>--init</c> checkpoint (its network: arch, width, stem, channels), read with
    /// the errors <see cref="Start"/> gives.</summary>
    public static PretrainConfig ReadInitConfig(string path)
    {
        using var init = InitialWeightsFile.Open(path);
        return init.Config;
    }

    /// <summary>The config stored in <paramref name="directory"/>'s checkpoint (to rebuild the data source for a resume).</summary>
    public static PretrainConfig ReadConfig(string directory)
    {
        using var contents = SafeTensors.Load(Path.Combine(directory, CheckpointFile));
        return Checkpoint.ReadConfig(contents);
    }

    /// <summary>Continues the run in <paramref name="directory"/> from its checkpoint, with the checkpoint's config.</summary>
    public static PretrainRun Resume(string directory, IViewPairSource data, KnnMonitor? knn)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string path = Path.Combine(directory, CheckpointFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"nothing to resume: {path} does not exist", path);
        using var contents = SafeTensors.Load(path);
        return new PretrainRun(Checkpoint.ReadConfig(contents), data, knn, directory, contents);
    }

    /// <summary>The run's config.</summary>
    public PretrainConfig Config { get; }
    /// <summary>The model: the query encoder and the method's state (MoCo: key encoder and queue; memory bank: the bank).</summary>
    public ContrastiveModel Model { get; }
    /// <summary>What a new run took from its <see cref="PretrainConfig.InitFrom"/> checkpoint; null for a run from random
    /// initialisation and for a resumed run.</summary>
    public Initialisation? Initialisation { get; }
    /// <summary>Where the run stands.</summary>
    public TrainingPosition Position => position;

    /// <summary>kNN top-1 of the query encoder's features now (null without a kNN monitor).</summary>
    public double? EvaluateKnn() => epochEnd.EvaluateKnn();

    /// <summary>
    /// Trains to the end (or until <paramref name="stopAfterSteps"/> more steps: a stand-in for a killed process, which
    /// leaves everything after the last checkpoint unsaved). Progress goes to <paramref name="output"/>, first the
    /// data source's note on its augmentation (<see cref="IViewPairSource.AugmentationNote"/>).
    /// </summary>
    public void Run(TextWriter? output = null, long stopAfterSteps = long.MaxValue)
    {
        bool resumed = position.GlobalStep > 0 || position.Epoch > 0 || position.Batch > 0;
        int batches = data.BatchesPerEpoch(Config.BatchSize);
        using var meter = new TrainingMeter(Path.Combine(directory, LogFile), resumed ? position.LogBytes : null, output ?? TextWriter.Null, Config, batches);
        if (data.AugmentationNote is { } note) meter.Note(note);
        Model.train();

        for (int epoch = position.Epoch; epoch < Config.Epochs; epoch++)
        {
            int startBatch = epoch == position.Epoch ? position.Batch : 0;
            // Per epoch, as the official code's adjust_learning_rate, or per step.
            double lr = schedule.Apply(optimizer, Config.LrPerStep ? (long)epoch * batches + startBatch : epoch);
            meter.StartEpoch();
            int trained = 0;
            foreach (ViewPairBatch batch in data.Epoch(epoch, startBatch, Config.BatchSize, device))
            {
                trained++;
                if (meter.Steps == stopAfterSteps)
                {
                    batch.Dispose();
                    return;
                }
                if (Config.LrPerStep) lr = schedule.Apply(optimizer, (long)epoch * batches + batch.Index);
                double loss;
                using (batch) loss = step.Take(batch);
                if (!double.IsFinite(loss)) throw Diverged(loss, epoch, batch.Index);
                position = position with { Epoch = epoch, Batch = batch.Index + 1, GlobalStep = position.GlobalStep + 1 };
                meter.Step(loss, epoch, position.GlobalStep, batch.Index + 1, lr);
                if (Config.CheckpointEvery > 0 && position.GlobalStep % Config.CheckpointEvery == 0 && batch.Index + 1 < batches)
                    position = checkpoint.Save(position, meter.LogBytes);
            }
            position = epochEnd.Finish(epoch, startBatch, batches, trained, position with { Epoch = epoch + 1, Batch = 0 }, meter);
        }
        epochEnd.FinishRun();
    }

    private TrainingDivergedException Diverged(double loss, int epoch, int batch)
    {
        string where = FormattableString.Invariant($"epoch {epoch}, batch {batch} (step {position.GlobalStep + 1})");
        return new TrainingDivergedException(
            $"the loss became {loss.ToString(CultureInfo.InvariantCulture)} at {where}; the run stopped and kept its last good " +
            $"checkpoint {checkpoint.Path} (position {checkpoint.LastSavedPosition()}). Lower the learning rate or check the data.");
    }

    /// <summary>Frees the model and the optimiser state.</summary>
    public void Dispose()
    {
        optimizer.Dispose();
        Model.Dispose();
    }
}
