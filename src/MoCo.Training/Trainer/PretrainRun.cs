using System.Diagnostics;
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
public sealed class PretrainRun : IDisposable
{
    /// <summary>The checkpoint's file name in the run directory.</summary>
    public const string CheckpointFile = "last.ckpt";
    /// <summary>The log's file name in the run directory.</summary>
    public const string LogFile = "log.jsonl";
    /// <summary>The curves' file name in the run directory.</summary>
    public const string CurvesFile = "curves.svg";

    private readonly IViewPairSource data;
    private readonly KnnMonitor? knn;
    private readonly string directory;
    private readonly SGD optimizer;
    private readonly LearningRateSchedule schedule;
    private readonly Device device;
    private TrainingPosition position;

    private PretrainRun(PretrainConfig config, IViewPairSource data, KnnMonitor? knn, string directory, SafeTensors.Contents? checkpoint)
    {
        config.Validate();
        Config = config;
        this.data = data;
        this.knn = knn;
        this.directory = directory;
        device = TensorExtensions.ParseDevice(config.Device);
        if (device.type == DeviceType.CUDA && !cuda.is_available())
            throw new InvalidOperationException($"device {device} was asked for, but {Native.LibTorchLocation.NoCudaReason()}");
        if (config.Threads > 0) set_num_threads(config.Threads);
        Native.CHeap.KeepFreedMemory();
        UseKernels(device, config.Deterministic);
        int c = data.ViewShape.channels;
        if (c != config.InChannels) throw new ArgumentException($"the data has {c} channels, the encoder takes {config.InChannels}");
        if (data.BatchesPerEpoch(config.BatchSize) == 0) throw new ArgumentException($"{data.Count} images make no full batch of {config.BatchSize}");

        manual_seed(unchecked((long)config.Seed));
        Model = ContrastiveModel.Create(config.Method, config.EncoderOptions, config.MoCoOptions, data.Count);
        Model.to(device);
        optimizer = new SGD(Model.encoder_q.parameters(), config.LearningRate, config.SgdMomentum, dampening: 0, weightDecay: config.WeightDecay, nesterov: false);
        schedule = config.LearningRateScheduleFor(data.BatchesPerEpoch(config.BatchSize));
        position = checkpoint is null ? new TrainingPosition() : Checkpoint.Restore(checkpoint, Model, optimizer);
        Directory.CreateDirectory(directory);
    }

    /// <summary>Starts a new run in <paramref name="directory"/> (an existing checkpoint there is overwritten).</summary>
    public static PretrainRun Start(PretrainConfig config, IViewPairSource data, KnnMonitor? knn, string directory)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return new PretrainRun(config, data, knn, directory, null);
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
    /// <summary>Where the run stands.</summary>
    public TrainingPosition Position => position;

    /// <summary>kNN top-1 of the query encoder's features now (null without a kNN monitor).</summary>
    public double? EvaluateKnn() => knn?.Evaluate(Model.encoder_q, device);

    /// <summary>
    /// Trains to the end (or until <paramref name="stopAfterSteps"/> more steps: a stand-in for a killed process, which
    /// leaves everything after the last checkpoint unsaved). Progress goes to <paramref name="output"/>.
    /// </summary>
    public void Run(TextWriter? output = null, long stopAfterSteps = long.MaxValue)
    {
        var progress = new ProgressLine(output ?? TextWriter.Null, output == Console.Out && !Console.IsOutputRedirected);
        string checkpointPath = Path.Combine(directory, CheckpointFile);
        bool resumed = position.GlobalStep > 0 || position.Epoch > 0 || position.Batch > 0;
        using var log = new RunLog(Path.Combine(directory, LogFile), resumed ? position.LogBytes : null);
        int batches = data.BatchesPerEpoch(Config.BatchSize);
        long totalSteps = (long)batches * Config.Epochs;
        long stepsThisCall = 0;
        var runClock = Stopwatch.StartNew();
        Model.train();
        var encoder = Config.EncoderOptions;
        bool customAutograd = device.type == DeviceType.CPU && encoder.ChannelsLast && encoder.BnSplits > 1;

        for (int epoch = position.Epoch; epoch < Config.Epochs; epoch++)
        {
            // Per epoch, as the official code's adjust_learning_rate, or per step.
            double lr = schedule.Apply(optimizer, Config.LrPerStep ? (long)epoch * batches + (epoch == position.Epoch ? position.Batch : 0) : epoch);
            double lossSum = 0;
            int lossCount = 0;
            var intervalClock = Stopwatch.StartNew();
            int startBatch = epoch == position.Epoch ? position.Batch : 0;
            int stepsThisEpoch = 0;
            foreach (ViewPairBatch batch in data.Epoch(epoch, startBatch, Config.BatchSize, device))
            {
                stepsThisEpoch++;
                if (stepsThisCall == stopAfterSteps)
                {
                    batch.Dispose();
                    return;
                }
                if (Config.LrPerStep) lr = schedule.Apply(optimizer, (long)epoch * batches + batch.Index);
                double loss;
                using (batch)
                using (NewDisposeScope())
                {
                    optimizer.zero_grad();
                    var lossTensor = Model.forward((batch.Query, batch.Key, batch.Indices));
                    loss = lossTensor.item<float>();
                    if (!double.IsFinite(loss))
                    {
                        string where = FormattableString.Invariant($"epoch {epoch}, batch {batch.Index} (step {position.GlobalStep + 1})");
                        throw new TrainingDivergedException(
                            $"the loss became {loss.ToString(CultureInfo.InvariantCulture)} at {where}; the run stopped and kept its last good " +
                            $"checkpoint {checkpointPath} (position {LastCheckpointStep(checkpointPath)}). Lower the learning rate or check the data.");
                    }
                    lossTensor.backward();
                    optimizer.step();
                }
                if (customAutograd) Models.ChannelsLastSplitBatchNorm.CollectFinishedNodes();
                stepsThisCall++;
                lossSum += loss;
                lossCount++;
                position = position with { Epoch = epoch, Batch = batch.Index + 1, GlobalStep = position.GlobalStep + 1 };

                if (position.GlobalStep % Config.LogEvery == 0 || batch.Index + 1 == batches)
                {
                    double seconds = intervalClock.Elapsed.TotalSeconds;
                    double imagesPerSecond = lossCount * Config.BatchSize / Math.Max(seconds, 1e-9);
                    log.Write(new LogEntry { epoch = epoch, step = position.GlobalStep, loss = lossSum / lossCount, lr = lr, images_per_s = imagesPerSecond });
                    double rate = stepsThisCall / Math.Max(runClock.Elapsed.TotalSeconds, 1e-9);
                    var eta = TimeSpan.FromSeconds((totalSteps - position.GlobalStep) / Math.Max(rate, 1e-9));
                    progress.Update(epoch, Config.Epochs, batch.Index + 1, batches, lossSum / lossCount, lr, imagesPerSecond, eta);
                    lossSum = 0;
                    lossCount = 0;
                    intervalClock.Restart();
                }
                if (Config.CheckpointEvery > 0 && position.GlobalStep % Config.CheckpointEvery == 0 && batch.Index + 1 < batches)
                    SaveCheckpoint(checkpointPath, log);
            }

            position = position with { Epoch = epoch + 1, Batch = 0 };
            WriteSkipped();
            if (stepsThisEpoch == 0 && startBatch < batches)
            {
                // Every batch came short (unreadable files): training on nothing would only write checkpoints.
                throw new InvalidOperationException(
                    $"epoch {epoch} gave no batch of {Config.BatchSize} readable images to train on; " +
                    $"see {Path.Combine(directory, SkippedFile)} for the files that could not be read.");
            }
            if (knn is not null)
            {
                double top1 = knn.Evaluate(Model.encoder_q, device);
                log.Write(new LogEntry { epoch = epoch, step = position.GlobalStep, knn_top1 = top1 });
                progress.Line(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch + 1}/{Config.Epochs}: kNN top-1 {top1 * 100:F2}%"));
            }
            SaveCheckpoint(checkpointPath, log);
        }
        File.WriteAllText(Path.Combine(directory, CurvesFile), CurvePlot.Svg(RunLog.Read(Path.Combine(directory, LogFile))));
    }

    /// <summary>
    /// CPU: libtorch's deterministic algorithms when asked (bit-exact resume), without filling each new tensor with NaN
    /// first (libtorch 2.x's debugging aid that comes with them: a memory pass per allocation, ~9% of a step). CUDA: libtorch's deterministic mode would
    /// refuse cuBLAS unless CUBLAS_WORKSPACE_CONFIG was set before the process started, so a deterministic CUDA run asks
    /// cuDNN for deterministic convolutions without autotuning instead; otherwise cuDNN autotunes per shape, as the
    /// official code's cudnn.benchmark = True. These are process-wide switches: set them for this run's device.
    /// </summary>
    private static void UseKernels(Device device, bool deterministic)
    {
        bool gpu = device.type == DeviceType.CUDA;
        Native.LibTorchContext.SetDeterministicAlgorithms(deterministic && !gpu);
        Native.LibTorchContext.SetDeterministicFillUninitializedMemory(false);
        if (!gpu) return;
        Native.LibTorchContext.SetDeterministicCuDnn(deterministic);
        Native.LibTorchContext.SetBenchmarkCuDnn(!deterministic);
    }

    /// <summary>The file listing samples the data source could not read (written when there are any).</summary>
    public const string SkippedFile = "skipped.txt";

    private void WriteSkipped()
    {
        var skipped = data.Skipped;
        if (skipped.Count == 0) return;
        File.WriteAllLines(Path.Combine(directory, SkippedFile), [$"{skipped.Count} sample(s) skipped", .. skipped.Order(StringComparer.Ordinal)]);
    }

    private void SaveCheckpoint(string path, RunLog log)
    {
        position = position with { LogBytes = log.Length };
        Checkpoint.Save(path, Model, optimizer, Config, position);
    }

    private static string LastCheckpointStep(string path)
    {
        if (!File.Exists(path)) return "none yet";
        try
        {
            using var contents = SafeTensors.Load(path);
            return contents.Metadata.TryGetValue("moco.position", out string? p) ? p : "unknown";
        }
        catch (InvalidDataException)
        {
            return "unreadable";
        }
    }

    /// <summary>Frees the model and the optimiser state.</summary>
    public void Dispose()
    {
        optimizer.Dispose();
        Model.Dispose();
    }
}
