using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using MoCo.Evaluation;
using MoCo.Training.Data;
using MoCo.Training.Evaluation;
using MoCo.Training.Trainer;

namespace MoCo.Training.Ablation;

/// <summary>The labelled data an ablation evaluates every point on: kNN bank and probe training set, and the test set.</summary>
/// <param name="Labelled">Labelled training images (the label budget): the kNN memory bank and the linear probe's training set.</param>
/// <param name="Test">Held-out labelled images, classified by both.</param>
public sealed record AblationEvaluationData(ILabelledImages Labelled, ILabelledImages Test);

/// <summary>
/// Runs an ablation grid: each point is a <see cref="PretrainRun"/> in its own folder of the output directory, then its
/// query encoder is evaluated by the evaluation protocol on its frozen features (<see cref="FrozenEvaluation"/>: kNN top-1
/// and linear-probe top-1, with the protocols' names) and the result written to the folder's result.json. Run again on the same directory, it skips points with a result and resumes unfinished ones from their
/// checkpoints. A point that cannot run (not implemented, refused by validation, diverged, an error in training) is
/// reported as failed with the reason, and the grid goes on. results.csv and results.md are rewritten after every point.
/// </summary>
public sealed class AblationRunner(PretrainConfig baseConfig, Func<PretrainConfig, IViewPairSource> sourceFor, AblationEvaluationData evaluation, string directory)
{
    /// <summary>A point's result file, in its folder.</summary>
    public const string ResultFile = "result.json";
    /// <summary>The CSV table, in the output directory.</summary>
    public const string CsvFile = "results.csv";
    /// <summary>The Markdown table, in the output directory.</summary>
    public const string MarkdownFile = "results.md";

    /// <summary>The linear probe's settings (the protocol's λ, Adam's steps and step size). Default
    /// <see cref="LinearProbeOptions"/>' defaults. The kNN's k and t are the base config's <c>KnnK</c>, <c>KnnTemperature</c>.</summary>
    public LinearProbeOptions Probe { get; init; } = new();

    /// <summary>Runs every point (in order) and returns their results.</summary>
    public IReadOnlyList<AblationResult> Run(IReadOnlyList<AblationPoint> points, TextWriter? output = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        output ??= TextWriter.Null;
        Directory.CreateDirectory(directory);
        var results = new List<AblationResult>();
        for (int i = 0; i < points.Count; i++)
        {
            var point = points[i];
            output.WriteLine($"[{i + 1}/{points.Count}] {point.Name} ({string.Join(", ", point.Sweeps)})");
            var result = RunPoint(point, output);
            output.WriteLine(result.Status == "ok"
                ? string.Create(CultureInfo.InvariantCulture, $"  kNN top-1 {result.KnnTop1 * 100:F2}%, linear top-1 {result.LinearTop1 * 100:F2}%, {result.Seconds:F0} s")
                : $"  {result.Status}: {result.Reason}");
            results.Add(result);
            WriteTables(results);
        }
        return results;
    }

    /// <summary>Writes results.csv and results.md to the output directory.</summary>
    public void WriteTables(IReadOnlyList<AblationResult> results)
    {
        File.WriteAllText(Path.Combine(directory, CsvFile), AblationTable.Csv(results));
        File.WriteAllText(Path.Combine(directory, MarkdownFile), AblationTable.Markdown(results));
    }

    private AblationResult RunPoint(AblationPoint point, TextWriter output)
    {
        var config = point.Apply(baseConfig);
        var blank = AblationResult.For(point, config.Epochs);
        if (point.SkipReason is not null) return blank with { Status = "skipped", Reason = point.SkipReason };
        string folder = Path.Combine(directory, point.Name);
        string resultPath = Path.Combine(folder, ResultFile);
        string checkpoint = Path.Combine(folder, PretrainRun.CheckpointFile);
        try
        {
            config.Validate();
            if (File.Exists(checkpoint)) CheckSameConfig(folder, config);
        }
        catch (ArgumentException e)
        {
            return blank with { Status = "failed", Reason = e.Message };
        }
        if (File.Exists(resultPath))
        {
            output.WriteLine($"  done before: {resultPath}");
            return AblationResult.Load(resultPath);
        }

        var clock = Stopwatch.StartNew();
        try
        {
            var source = sourceFor(config);
            using var run = File.Exists(checkpoint) ? PretrainRun.Resume(folder, source, null) : PretrainRun.Start(config, source, null, folder);
            if (run.Position.GlobalStep > 0) output.WriteLine($"  resuming at step {run.Position.GlobalStep}");
            if (!point.Untrained) run.Run(output);
            var device = TensorExtensions.ParseDevice(config.Device);
            var scores = FrozenEvaluation.Evaluate(run.Model.encoder_q, evaluation.Labelled, evaluation.Test, device,
                new KnnOptions { K = config.KnnK, Temperature = (float)config.KnnTemperature }, Probe);
            var result = blank with
            {
                FinalLoss = point.Untrained ? null : RunLog.Read(Path.Combine(folder, PretrainRun.LogFile)).LastOrDefault(e => e.loss is not null)?.loss,
                KnnTop1 = scores.KnnTop1, LinearTop1 = scores.LinearTop1, KnnProtocol = scores.KnnProtocol, LinearProtocol = scores.LinearProtocol,
                Seconds = clock.Elapsed.TotalSeconds,
            };
            result.Save(resultPath);
            return result;
        }
        catch (TrainingDivergedException e)
        {
            // Deterministic: running it again diverges again, so the failure is kept like a result.
            var result = blank with { Status = "failed", Reason = "diverged: " + e.Message, Seconds = clock.Elapsed.TotalSeconds };
            result.Save(resultPath);
            return result;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or NotImplementedException
                                      or ExternalException or OutOfMemoryException or IOException)
        {
            return blank with { Status = "failed", Reason = $"{e.GetType().Name}: {e.Message}", Seconds = clock.Elapsed.TotalSeconds };
        }
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>A point's folder holds a checkpoint of the same config (else the grid or the base config changed since).</summary>
    private static void CheckSameConfig(string folder, PretrainConfig config)
    {
        string stored = JsonSerializer.Serialize(PretrainRun.ReadConfig(folder), Json), asked = JsonSerializer.Serialize(config, Json);
        if (stored != asked)
            throw new ArgumentException($"{folder} holds a run with another config than this grid point's (stored {stored}, asked {asked}): " +
                                        "remove the folder or choose another output directory");
    }
}
