using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using MoCo.Training.Data;
using MoCo.Training.Evaluation;
using MoCo.Training.Optim;
using MoCo.Training.Serialization;
using MoCo.Training.Trainer;
using static TorchSharp.torch;

namespace MoCo.Training.FineTuning;

/// <summary>One line of a fine-tuning run's log.jsonl: an epoch's mean training loss and the test top-1 after it.</summary>
public sealed record FineTuneLogEntry
{
    /// <summary>Epoch (0-based).</summary>
    public int epoch { get; init; }
    /// <summary>Optimisation steps done.</summary>
    public long step { get; init; }
    /// <summary>Mean training cross-entropy over the epoch's batches.</summary>
    public double loss { get; init; }
    /// <summary>The backbone's learning rate in the epoch.</summary>
    public double lr { get; init; }
    /// <summary>The head's learning rate in the epoch.</summary>
    public double head_lr { get; init; }
    /// <summary>Test top-1 (0–1) after the epoch, when a test set is given and the epoch is evaluated (<see cref="FineTuneConfig.EvalEvery"/>).</summary>
    public double? test_top1 { get; init; }
}

/// <summary>
/// A fine-tuning run writing to a directory: last.ckpt (<see cref="FineTuneCheckpoint"/>, at each epoch's end) and
/// log.jsonl (<see cref="FineTuneLogEntry"/> per epoch). A killed run resumes from its last epoch's end and gives the
/// losses an uninterrupted run gives (bit-exact on the CPU with deterministic kernels): the data order and views are a
/// pure function of (seed, epoch, batch), and the network, both optimisers and the generator are restored. A loss that
/// is not finite stops the run with <see cref="TrainingDivergedException"/>, keeping the last good checkpoint.
/// </summary>
public sealed class FineTuneRun : IDisposable
{
    /// <summary>The checkpoint's file name in the run directory.</summary>
    public const string CheckpointFile = "last.ckpt";
    /// <summary>The log's file name in the run directory.</summary>
    public const string LogFile = "log.jsonl";

    private readonly ILabelledTrainingSet train;
    private readonly ILabelledImages? test;
    private readonly string directory;
    private readonly SGD backbone, head;
    private readonly LearningRateSchedule backboneSchedule, headSchedule;
    private readonly Device device;
    private readonly FineTuneStep step;
    private TrainingPosition position;

    private FineTuneRun(FineTuneConfig config, ILabelledTrainingSet train, ILabelledImages? test, string directory, SafeTensors.Contents? saved)
    {
        config.Validate();
        Config = config;
        this.train = train;
        this.test = test;
        this.directory = directory;
        device = TensorExtensions.ParseDevice(config.Device);
        if (device.type == DeviceType.CUDA && !cuda.is_available())
            throw new InvalidOperationException($"device {device} was asked for, but this libtorch sees no CUDA device (TorchSharp-cpu is a CPU-only build: build with -p:TorchSharpBackend=cuda, docs/gpu.md)");
        if (TrainingEnvironment.Current is null)
            new TrainingEnvironment { Threads = config.Threads, DeviceType = device.type, Deterministic = config.Deterministic }.Apply();
        if (train.Channels != config.InChannels) throw new ArgumentException($"the data has {train.Channels} channels, the encoder takes {config.InChannels}");
        if (test is not null && test.Classes > config.Classes) throw new ArgumentException($"the test set has {test.Classes} classes, the classifier {config.Classes}");

        Model = saved is null ? FineTuneModel.Create(config) : FineTuneModel.Create(config with { Init = FineTuneConfig.RandomInit });
        Model.To(device);
        if (saved is null && config.HeadInit == FineTuneConfig.ProbeHeadInit)
        {
            ProbeHead.Initialise(Model, train.Unaugmented, config.Classes, device);
        }

        backbone = new SGD(Model.BackboneParameters(), config.LearningRate, config.Momentum, 0, config.WeightDecay, config.Nesterov);
        head = new SGD(Model.HeadParameters(), config.HeadLr, config.Momentum, 0, config.WeightDecay, config.Nesterov);
        (backboneSchedule, headSchedule) = config.Schedules;
        position = saved is null ? new TrainingPosition() : FineTuneCheckpoint.Restore(saved, Model, backbone, head, train.Indices);
        step = new FineTuneStep(Model, backbone, head);
        Directory.CreateDirectory(directory);
    }

    /// <summary>Starts a new run in <paramref name="directory"/> (an existing checkpoint there is overwritten).</summary>
    public static FineTuneRun Start(FineTuneConfig config, ILabelledTrainingSet train, ILabelledImages? test, string directory)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return new FineTuneRun(config, train, test, directory, null);
    }

    /// <summary>The config stored in <paramref name="directory"/>'s checkpoint (to rebuild the data for a resume).</summary>
    public static FineTuneConfig ReadConfig(string directory)
    {
        using var contents = SafeTensors.Load(CheckpointPath(directory));
        return FineTuneCheckpoint.ReadConfig(contents);
    }

    /// <summary>Continues the run in <paramref name="directory"/> from its checkpoint, with the checkpoint's config;
    /// <paramref name="train"/> must be drawn as the run drew it (checked).</summary>
    public static FineTuneRun Resume(string directory, ILabelledTrainingSet train, ILabelledImages? test)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(train);
        string path = CheckpointPath(directory);
        if (!File.Exists(path)) throw new FileNotFoundException($"nothing to resume: {path} does not exist", path);
        using var contents = SafeTensors.Load(path);
        return new FineTuneRun(FineTuneCheckpoint.ReadConfig(contents), train, test, directory, contents);
    }

    private static string CheckpointPath(string directory) => Path.Combine(directory, CheckpointFile);

    /// <summary>The run's config.</summary>
    public FineTuneConfig Config { get; }
    /// <summary>The network being trained.</summary>
    public FineTuneModel Model { get; }
    /// <summary>Where the run stands.</summary>
    public TrainingPosition Position => position;

    /// <summary>The classifier's scores on <paramref name="set"/> now (eval mode).</summary>
    public ClassifierScores Evaluate(ILabelledImages set) => ClassifierScores.Of(Model.Network, set, device);

    /// <summary>Trains to the end (or until <paramref name="stopAfterSteps"/> more steps: a stand-in for a killed
    /// process); a line per epoch goes to <paramref name="output"/>. With <paramref name="progress"/> (a terminal), a live
    /// progress line there, pretraining's <see cref="ProgressLine"/>: the epoch's batches, its mean loss so far, images/s
    /// and the time left at this call's pace, blanked before each epoch's line.</summary>
    public void Run(TextWriter? output = null, long stopAfterSteps = long.MaxValue, TextWriter? progress = null)
    {
        output ??= TextWriter.Null;
        bool resumed = position.GlobalStep > 0 || position.Epoch > 0;
        using var log = new RunLog(Path.Combine(directory, LogFile), resumed ? position.LogBytes : null);
        var bar = progress is null ? null : new ProgressLine(progress, live: true);
        int batchesPerEpoch = train.BatchesPerEpoch(Config.BatchSize);
        var runClock = Stopwatch.StartNew();
        var redraw = Stopwatch.StartNew();
        long steps = 0;
        try
        {
            for (int epoch = position.Epoch; epoch < Config.Epochs; epoch++)
            {
                double lr = backboneSchedule.Apply(backbone, epoch), headLr = headSchedule.Apply(head, epoch);
                var clock = Stopwatch.StartNew();
                double lossSum = 0;
                int batches = 0;
                long images = 0;
                Model.Train();
                foreach (var (x, y) in train.Epoch(epoch, Config.BatchSize, device))
                {
                    double loss;
                    using (x)
                    using (y)
                    {
                        if (steps == stopAfterSteps) return;
                        loss = step.Take(x, y);
                        images += y.shape[0];
                    }
                    if (!double.IsFinite(loss)) throw Diverged(loss, epoch, batches);
                    steps++;
                    batches++;
                    lossSum += loss;
                    position = position with { GlobalStep = position.GlobalStep + 1 };
                    if (bar is not null && (redraw.ElapsedMilliseconds >= 100 || batches >= batchesPerEpoch))
                    {
                        // The pace of this call's steps so far, evaluation and checkpoints included.
                        double stepsPerSecond = steps / Math.Max(runClock.Elapsed.TotalSeconds, 1e-9);
                        long left = Math.Max(0, ((long)(Config.Epochs - epoch) * batchesPerEpoch) - batches);
                        bar.Update(epoch, Config.Epochs, Math.Min(batches, batchesPerEpoch), batchesPerEpoch, lossSum / batches, lr,
                            images / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), TimeSpan.FromSeconds(left / Math.Max(stepsPerSecond, 1e-9)));
                        redraw.Restart();
                    }
                }
                if (batches == 0)
                    throw new InvalidOperationException($"epoch {epoch} had no trainable batch (every image unreadable?): {string.Join("; ", train.Skipped.Take(5))}");
                if (epoch == Config.Epochs - 1 && Config.RecalibrateBn)
                {
                    ProbeHead.RecalibrateBatchNorm(Model.Network, train.Unaugmented, device);
                }

                bool evaluate = test is not null && (epoch == Config.Epochs - 1 || (Config.EvalEvery > 0 && (epoch + 1) % Config.EvalEvery == 0));
                double? top1 = evaluate ? Evaluate(test!).Top1 : null;
                log.Write(new FineTuneLogEntry { epoch = epoch, step = position.GlobalStep, loss = lossSum / batches, lr = lr, head_lr = headLr, test_top1 = top1 });
                position = position with { Epoch = epoch + 1, Batch = 0, LogBytes = log.Length };
                FineTuneCheckpoint.Save(CheckpointPath(directory), Model, backbone, head, Config, position, train.Indices);
                bar?.Clear();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {epoch + 1}/{Config.Epochs}: loss {lossSum / batches:F4}{(top1 is { } t ? $", test top-1 {t * 100:F2}%" : "")}, lr {lr:G4}, head lr {headLr:G4} ({clock.Elapsed.TotalSeconds:F1} s)"));
            }
        }
        finally
        {
            bar?.Clear();   // a stop or an error leaves no half-drawn line before what comes next
        }
    }

    private TrainingDivergedException Diverged(double loss, int epoch, int batch)
    {
        string path = CheckpointPath(directory);
        string kept = File.Exists(path) ? $"kept its last good checkpoint {path} (after epoch {position.Epoch})" : "has no checkpoint yet (it diverged in its first epoch)";
        return new TrainingDivergedException(string.Create(CultureInfo.InvariantCulture,
            $"the loss became {loss} at epoch {epoch}, batch {batch} (step {position.GlobalStep + 1}); the run stopped and {kept}. Lower the learning rate or check the data."));
    }

    /// <summary>Frees the network and the optimiser state.</summary>
    public void Dispose()
    {
        backbone.Dispose();
        head.Dispose();
        Model.Dispose();
    }
}
