using System.Diagnostics;
using System.Globalization;

namespace MoCo.Training.Trainer;

/// <summary>
/// What a run reports as it trains: the mean loss and the throughput over each log interval (every
/// <see cref="PretrainConfig.LogEvery"/> steps and at each epoch's last batch) as a line of log.jsonl and of the
/// progress display, with the time left at this call's pace; the kNN figure at each epoch's end; and notes. It owns
/// the log (<see cref="RunLog"/>), which a resumed run first cuts back to its checkpoint's length.
/// </summary>
internal sealed class TrainingMeter : IDisposable
{
    private readonly RunLog log;
    private readonly ProgressLine progress;
    private readonly int epochs, batchesPerEpoch, batchSize, logEvery;
    private readonly long totalSteps;
    private readonly Stopwatch runClock = Stopwatch.StartNew();
    private readonly Stopwatch intervalClock = Stopwatch.StartNew();
    private double lossSum;
    private int lossCount;

    /// <summary>Opens the log at <paramref name="logPath"/> (new, or cut back to <paramref name="truncateTo"/> bytes for a
    /// resume) and the progress display on <paramref name="output"/> (live when it is the console's terminal).</summary>
    internal TrainingMeter(string logPath, long? truncateTo, TextWriter output, PretrainConfig config, int batchesPerEpoch)
    {
        log = new RunLog(logPath, truncateTo);
        progress = new ProgressLine(output, output == Console.Out && !Console.IsOutputRedirected);
        epochs = config.Epochs;
        batchSize = config.BatchSize;
        logEvery = config.LogEvery;
        this.batchesPerEpoch = batchesPerEpoch;
        totalSteps = (long)batchesPerEpoch * config.Epochs;
    }

    /// <summary>Steps measured in this call (the ETA's pace).</summary>
    internal long Steps { get; private set; }

    /// <summary>Bytes of the log so far (what a checkpoint records).</summary>
    internal long LogBytes => log.Length;

    /// <summary>Starts an epoch's first interval: time spent between epochs (kNN, checkpoints) is not training time.</summary>
    internal void StartEpoch()
    {
        lossSum = 0;
        lossCount = 0;
        intervalClock.Restart();
    }

    /// <summary>Counts a step's loss; at the end of an interval, writes its line: <paramref name="step"/> steps done,
    /// <paramref name="batch"/> (1-based) the batch just trained in <paramref name="epoch"/>.</summary>
    internal void Step(double loss, int epoch, long step, int batch, double lr)
    {
        Steps++;
        lossSum += loss;
        lossCount++;
        if (step % logEvery != 0 && batch != batchesPerEpoch) return;
        double seconds = intervalClock.Elapsed.TotalSeconds;
        double imagesPerSecond = lossCount * batchSize / Math.Max(seconds, 1e-9);
        double meanLoss = lossSum / lossCount;
        log.Write(new LogEntry { epoch = epoch, step = step, loss = meanLoss, lr = lr, images_per_s = imagesPerSecond });
        double rate = Steps / Math.Max(runClock.Elapsed.TotalSeconds, 1e-9);
        var eta = TimeSpan.FromSeconds((totalSteps - step) / Math.Max(rate, 1e-9));
        progress.Update(epoch, epochs, batch, batchesPerEpoch, meanLoss, lr, imagesPerSecond, eta);
        lossSum = 0;
        lossCount = 0;
        intervalClock.Restart();
    }

    /// <summary>Writes the kNN top-1 measured at the end of <paramref name="epoch"/>.</summary>
    internal void Knn(int epoch, long step, double top1)
    {
        log.Write(new LogEntry { epoch = epoch, step = step, knn_top1 = top1 });
        progress.Line(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch + 1}/{epochs}: kNN top-1 {top1 * 100:F2}%"));
    }

    /// <summary>A line of text on the progress display (not in the log).</summary>
    internal void Note(string text) => progress.Line(text);

    public void Dispose() => log.Dispose();
}
