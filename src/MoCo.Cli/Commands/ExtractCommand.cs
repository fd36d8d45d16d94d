using System.CommandLine;
using System.Globalization;
using MoCo.Cli.Options;
using MoCo.Extraction;
using MoCo.Extraction.Sources;
using MoCo.Extraction.Store;

namespace MoCo.Cli.Commands;

/// <summary>`moco extract`: an encoder's features of a whole source into a resumable store; `moco extract merge` joins stores.</summary>
internal static class ExtractCommand
{
    internal sealed class Options : ICommandOptions
    {
        internal readonly Option<string> Model = new("--model") { Description = "the encoder (.onnx from moco export, with its preprocessing metadata)", Required = true };
        internal readonly Option<string> Data = DataOptions.Source("--data", "images (IDX default split train)");
        internal readonly Option<string> Out = new("--out") { Description = "store folder (manifest.db + feature files); an existing store is resumed", Required = true };
        internal readonly Option<string> Format = new("--format") { Description = "parquet or npy", DefaultValueFactory = _ => "parquet" };
        internal readonly RenamedOption<int> OnnxBatch = new(new Option<int>("--onnx-batch") { Description = "images per ONNX Runtime call (keep it when resuming: features are bit-identical for the same batches)", DefaultValueFactory = _ => 32 }, "--batch");
        internal readonly Option<int> Threads = new("--threads") { Description = "decoding and ONNX Runtime threads (0: one per core)", DefaultValueFactory = _ => 0 };
        internal readonly Option<string> Shard = new("--shard") { Description = "i/n: this worker's part of the source (items k with k mod n = i), for n workers writing n stores; auto: i (and n) from a Kubernetes indexed Job (JOB_COMPLETION_INDEX, with --shard-count) or a Slurm array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT)", DefaultValueFactory = _ => "0/1" };
        internal readonly Option<int?> ShardCount = new("--shard-count") { Description = "n for --shard auto where the scheduler does not give it (a Kubernetes Job's completions)" };
        internal readonly DeviceOption Device = new("ONNX Runtime's device (needs the GPU build of ONNX Runtime: docs/onnx.md)");
        internal readonly Option<int> RowsPerFile = new("--rows-per-file") { Description = "source items per feature file (whole batches); a killed run redoes at most one file", DefaultValueFactory = _ => 8192 };
        internal readonly Option<bool> Quiet = new("--quiet") { Description = "no progress bar; the summary only" };

        public IEnumerable<Option> All => [Model, Data, Out, Format, .. OnnxBatch.Options, Threads, Shard, ShardCount, Device.Option, RowsPerFile, Quiet];
    }

    internal static Command Create(Options? o = null)
    {
        var command = CommandOptions.Build("extract",
            "Features of every image of a source into a store (Parquet or .npy files + SQLite manifest); killed, it resumes where it stopped.",
            o ?? new Options(), Run);
        command.Subcommands.Add(CreateMerge());
        return command;
    }

    private static int Run(ParseResult r, Options o)
    {
        var options = new ExtractionOptions
        {
            ModelPath = r.GetValue(o.Model)!,
            Data = r.GetValue(o.Data)!,
            Out = r.GetValue(o.Out)!,
            Format = r.GetValue(o.Format) switch
            {
                "parquet" => StoreFormat.Parquet,
                "npy" => StoreFormat.Npy,
                var f => throw new ArgumentException($"--format '{f}' is not parquet or npy."),
            },
            BatchSize = o.OnnxBatch.Get(r),
            Threads = r.GetValue(o.Threads),
            Shard = JobShard.Resolve(r.GetValue(o.Shard)!, r.GetValue(o.ShardCount)),
            GpuDeviceId = o.Device.Get(r).OnnxDeviceId,
            ItemsPerFile = r.GetValue(o.RowsPerFile),
        };

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // stop after the current batch and commit what is done
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var summary = r.GetValue(o.Quiet) ? ExtractionJob.Run(options, null, cancel.Token) : ExtractProgress.Run(options, cancel.Token);
            PrintSummary(summary, options);
            return summary.Stopped ? 3 : 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static void PrintSummary(ExtractionSummary s, ExtractionOptions options)
    {
        var inv = CultureInfo.InvariantCulture;
        var format = options.Format.ToString().ToLowerInvariant();
        Console.WriteLine(string.Create(inv,
            $"{(s.Stopped ? "stopped" : "done")}: {s.Extracted} image(s) extracted, {s.Failed} failed, in {s.Seconds:F1} s ({s.ImagesPerSecond:F1} images/s); " +
            $"{s.FilesWritten} {format} file(s) written"));
        Console.WriteLine(string.Create(inv,
            $"store {s.Store}: {s.DoneAtStart + s.Extracted + s.Failed} of {s.Total} item(s) of shard {options.Shard} done{(s.DoneAtStart > 0 ? $" ({s.DoneAtStart} before this run)" : "")}"));
        foreach (var (path, error) in s.FailureSamples)
        {
            Console.WriteLine($"  failed: {error}{(error.Contains(path, StringComparison.Ordinal) ? "" : $" ({path})")}");
        }

        if (s.Failed > s.FailureSamples.Count)
        {
            Console.WriteLine($"  … {s.Failed - s.FailureSamples.Count} more: manifest.db, table images, status 'failed'");
        }

        if (s.Stopped)
        {
            Console.WriteLine("run the same command again to continue");
        }
    }

    private static Command CreateMerge()
    {
        var output = new Option<string>("--out") { Description = "new store folder", Required = true };
        var inputs = new Argument<string[]>("stores") { Description = "the stores to join (e.g. the --shard i/n stores of n workers)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("merge", "Join feature stores of the same model, preprocessing and source (e.g. all --shard i/n stores) into a new store.");
        command.Options.Add(output);
        command.Arguments.Add(inputs);
        command.SetAction(r =>
        {
            var (settings, images) = StoreMerge.Merge(r.GetValue(output)!, r.GetValue(inputs)!);
            Console.WriteLine($"merged {images} image(s) from {r.GetValue(inputs)!.Length} store(s) into {r.GetValue(output)} (shard {settings.JobShard})");
            return 0;
        });
        return command;
    }
}
