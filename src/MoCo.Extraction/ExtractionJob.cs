using System.Diagnostics;
using MoCo.Extraction.Sources;
using MoCo.Extraction.Store;
using MoCo.MLNet;

namespace MoCo.Extraction;

/// <summary>
/// <c>moco extract</c>: features of every image of a source (or of its <c>--shard</c>) into a store, resumably. Items
/// go through in source order, in batches, into feature files of whole batches; each file is made durable and then
/// committed with its images, so a run killed at any moment resumes after the last commit and forms the same batches
/// as an uninterrupted run (same batch size), giving bit-identical features. The features come from MoCo.MLNet's public
/// <see cref="MoCoFeaturizer"/>, which reads ahead: it decodes the next batch and runs ORT on this one while the job
/// writes the one before.
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
        using var featurizer = MoCoFeaturizer.Open(runtimeOptions);
        var source = ExtractionSource.Open(options.Data);
        var settings = new StoreSettings(
            featurizer.ModelSha256, Path.GetFullPath(options.ModelPath), StoreSettings.Describe(featurizer.Preprocessing),
            featurizer.FeatureDimension, options.Format, source.Spec, source.Fingerprint(), source.Count, options.Shard.ToString(), source.Labelled, source.Dataset.Classes);

        using var store = FeatureStore.OpenForRun(options.Out, settings);
        var done = store.DoneItems();
        var shardItems = options.Shard.Items(source.Count).ToArray();
        var pending = shardItems.Where(k => !done.Contains(k)).ToArray();
        var doneAtStart = shardItems.Length - pending.Length;

        var d = featurizer.FeatureDimension;
        var itemsPerFile = (options.ItemsPerFile + options.BatchSize - 1) / options.BatchSize * options.BatchSize;
        var part = new FeaturePart(d);
        var failures = new List<(string, string)>();
        int extracted = 0, failed = 0, files = 0;
        var stopped = false;
        var clock = Stopwatch.StartNew();
        progress?.Invoke(new ExtractionProgress(doneAtStart, shardItems.Length, 0, doneAtStart));

        // Batches are consecutive slices of the pending items, so a resumed run (which starts at a committed file's end)
        // forms the same batches as an uninterrupted one. Files and IDX images alike are items of the source's dataset.
        foreach (var batch in featurizer.FeaturizeAll(pending.Select(k => MoCoImageInput.FromDataset(source.Dataset, k))))
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var item = pending[batch.Offset + i];
                if (batch.Error(i) is { } error)
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
                    part.AddRow(item, source.Name(item), source.Label(item), batch.Features(i));
                    extracted++;
                }
            }

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
