using MoCo.Training.Data;
using MoCo.Training.Evaluation;
using MoCo.Training.Method;
using static TorchSharp.torch;

namespace MoCo.Training.Trainer;

/// <summary>
/// The work at the end of each epoch of a run, in its order: the list of samples the data source could not read
/// (skipped.txt), the stop when the epoch gave nothing to train on, the kNN monitor, the checkpoint; and at the end
/// of the run, the curves.
/// </summary>
internal sealed class EpochEnd(string directory, IViewPairSource data, KnnMonitor? knn, ContrastiveModel model, Device device, RunCheckpoint checkpoint, int batchSize)
{
    /// <summary>kNN top-1 of the query encoder's features now (null without a monitor): the run's one use of the monitor.</summary>
    internal double? EvaluateKnn() => knn?.Evaluate(model.encoder_q, device);

    /// <summary>Ends <paramref name="epoch"/>, whose batches from <paramref name="startBatch"/> of <paramref name="batches"/>
    /// gave <paramref name="trained"/> steps; <paramref name="position"/> is the next epoch's start. Returns the position
    /// as checkpointed.</summary>
    internal TrainingPosition Finish(int epoch, int startBatch, int batches, int trained, TrainingPosition position, TrainingMeter meter)
    {
        WriteSkipped();
        if (trained == 0 && startBatch < batches)
        {
            // Every batch came short (unreadable files): training on nothing would only write checkpoints.
            throw new InvalidOperationException(
                $"epoch {epoch} gave no batch of {batchSize} readable images to train on; " +
                $"see {Path.Combine(directory, PretrainRun.SkippedFile)} for the files that could not be read.");
        }
        if (EvaluateKnn() is { } top1) meter.Knn(epoch, position.GlobalStep, top1);
        return checkpoint.Save(position, meter.LogBytes);
    }

    /// <summary>Draws the loss and kNN curves of the whole log (curves.svg).</summary>
    internal void FinishRun() =>
        File.WriteAllText(Path.Combine(directory, PretrainRun.CurvesFile), CurvePlot.Svg(RunLog.Read(Path.Combine(directory, PretrainRun.LogFile))));

    private void WriteSkipped()
    {
        var skipped = data.Skipped;
        if (skipped.Count == 0) return;
        File.WriteAllLines(Path.Combine(directory, PretrainRun.SkippedFile), [$"{skipped.Count} sample(s) skipped", .. skipped.Order(StringComparer.Ordinal)]);
    }
}
