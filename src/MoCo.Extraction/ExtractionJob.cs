using System.Diagnostics;
using System.Security.Cryptography;
using MoCo.Extraction.Pipeline;
using MoCo.Extraction.Sources;
using MoCo.Extraction.Store;
using MoCo.MLNet;
using MoCo.MLNet.Input;
using MoCo.MLNet.Runtime;

namespace MoCo.Extraction;

/// <summary>
/// <c>moco extract</c>: features of every image of a source (or of its <c>--shard</c>) into a store, resumably. Items
/// go through in source order, in batches, into feature files of whole batches; each file is made durable and then
/// committed with its images, so a run killed at any moment resumes after the last commit and forms the same batches
/// as an uninterrupted run (same batch size), giving bit-identical features.
/// </summary>
internal static class ExtractionJob
{
    private const int FailureSamples = 10;

    public static ExtractionSummary Run(ExtractionOptions options, Action<ExtractionProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1, "--onnx-batch");
        ArgumentOutOfRangeException.ThrowIfNegative(options.Threads, "--threads");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ItemsPerFile, 1, "--rows-per-file");

        var threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        var runtimeOptions = new MoCoFeaturesOptions
        {
            ModelPath = options.ModelPath, BatchSize = options.BatchSize, DecodeThreads = threads, IntraOpThreads = threads,
            GpuDeviceId = options.GpuDeviceId, BadImages = MoCoBadImagePolicy.NaN,
        };
        var model = EncoderModel.Load(runtimeOptions);
        var source = ExtractionSource.Open(options.Data);
        var settings = new StoreSettings(
            Convert.ToHexStringLower(SHA256.HashData(model.Bytes)), Path.GetFullPath(options.ModelPath), StoreSettings.Describe(model.Preprocessing),
            model.FeatureDimension, options.Format, source.Spec, source.Fingerprint(), source.Count, options.Shard.ToString(), source.Labelled);

        using var store = FeatureStore.OpenForRun(options.Out, settings);
        var done = store.DoneItems();
        var shardItems = options.Shard.Items(source.Count).ToArray();
        var pending = shardItems.Where(k => !done.Contains(k)).ToArray();
        var doneAtStart = shardItems.Length - pending.Length;

        var step = FittedStep.Create(model, ImageColumnKind.Path, new StepSettings("image", "features", null, MoCoBadImagePolicy.NaN, false));
        using var runtime = new FeaturizerRuntime(step, runtimeOptions);
        var d = runtime.FeatureDimension;
        var itemsPerFile = (options.ItemsPerFile + options.BatchSize - 1) / options.BatchSize * options.BatchSize;
        var part = new FeaturePart(d);
        var features = new float[options.BatchSize * d];
        var invalid = new float[options.BatchSize];
        var failures = new List<(string, string)>();
        int extracted = 0, failed = 0, files = 0;
        var stopped = false;
        var clock = Stopwatch.StartNew();
        progress?.Invoke(new ExtractionProgress(doneAtStart, shardItems.Length, 0, doneAtStart));

        using (var producer = new BatchProducer(source, runtime.Preparer, model.Preprocessing.Channels, pending, options.BatchSize, threads))
        {
            while (producer.Take() is { } batch)
            {
                var n = batch.Count;
                if (!batch.AllFailed)
                {
                    // crops: N x (S·S·C) uint8, invalid: N x 1 (zeros; failed rows are dropped below) → features: N x D.
                    runtime.Session.RunInto(batch.Crops.AsSpan(0, n * batch.CropLength), [n, batch.CropLength], invalid.AsSpan(0, n), [n, 1], features.AsSpan(0, n * d));
                }

                for (var i = 0; i < n; i++)
                {
                    var item = batch.Items[i];
                    if (batch.Errors[i] is { } error)
                    {
                        part.AddFailure(item, source.Name(item), source.Label(item), error);
                        failed++;
                        if (failures.Count < FailureSamples)
                        {
                            failures.Add((source.Name(item), error));
                        }
                    }
                    else
                    {
                        part.AddRow(item, source.Name(item), source.Label(item), features.AsSpan(i * d, d));
                        extracted++;
                    }
                }

                producer.Return(batch);
                if (part.ItemCount >= itemsPerFile)
                {
                    files += Commit(store, part);
                }

                progress?.Invoke(new ExtractionProgress(doneAtStart + extracted + failed, shardItems.Length, failed, doneAtStart));
                if (cancel.IsCancellationRequested)
                {
                    stopped = true;
                    break;
                }
            }
        }

        // A partial file still ends on a batch boundary, so a later resume forms the same batches.
        files += Commit(store, part);
        return new ExtractionSummary(Path.GetFullPath(options.Out), shardItems.Length, doneAtStart, extracted, failed, files, clock.Elapsed.TotalSeconds, stopped, failures);
    }

    private static int Commit(FeatureStore store, FeaturePart part)
    {
        var name = store.Commit(part);
        part.Clear();
        return name is null ? 0 : 1;
    }
}
