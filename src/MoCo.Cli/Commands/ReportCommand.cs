using System.CommandLine;
using System.Globalization;
using MoCo.Cli.Options;
using MoCo.Cli.Report;
using MoCo.Extraction.Reading;
using MoCo.Imaging.Datasets;

namespace MoCo.Cli.Commands;

/// <summary>
/// `moco report`: one self-contained HTML page about a feature store (<see cref="ReportPage"/>): a neighbour gallery,
/// a PCA map coloured by label, and where given a run's pretraining curves, <c>moco dedup</c>'s groups and a probe's
/// confusion matrix. Reads the store without its writer lock.
/// </summary>
internal static class ReportCommand
{
    internal sealed class Options : ICommandOptions
    {
        internal readonly Option<string> Store = DataOptions.Store();
        internal readonly Option<string?> Run = new("--run") { Description = "a moco pretrain folder: its log.jsonl gives the loss and kNN curves" };
        internal readonly Option<string?> Probe = new("--probe") { Description = "a moco probe --out folder: its confusion matrix" };
        internal readonly Option<string?> Groups = new("--groups") { Description = "moco dedup's groups.csv: the near-duplicate groups" };
        internal readonly Option<int> Queries = new("--queries") { Description = "gallery queries (taken round the classes)", DefaultValueFactory = _ => 12 };
        internal readonly Option<int> K = new("--k") { Description = "nearest neighbours shown per query", DefaultValueFactory = _ => 8 };
        internal readonly Option<int> MapPoints = new("--map-points") { Description = "images on the PCA map at most (a seeded sample)", DefaultValueFactory = _ => 2000 };
        internal readonly Option<ulong> Seed = new("--seed") { Description = "seed of the gallery's queries and the map's sample", DefaultValueFactory = _ => 0 };
        internal readonly Option<string> Out = new("--out") { Description = "the page to write (.html); thumbnails and figures are inside it", Required = true };

        public IEnumerable<Option> All => [Store, Run, Probe, Groups, Queries, K, MapPoints, Seed, Out];
    }

    internal static Command Create(Options? o = null) => CommandOptions.Build("report",
        "One self-contained HTML page about a store: nearest-neighbour gallery (wrong labels marked), PCA map by label, and with --run / --groups / --probe " +
        "the pretraining curves, near-duplicate groups and confusion matrix.",
        o ?? new Options(), Run);

    private static int Run(ParseResult r, Options o)
    {
        var settings = new ReportSettings
        {
            Run = r.GetValue(o.Run), Probe = r.GetValue(o.Probe), Groups = r.GetValue(o.Groups), Seed = r.GetValue(o.Seed),
            Queries = Positive(r.GetValue(o.Queries), "--queries"), Neighbours = Positive(r.GetValue(o.K), "--k"), MapPoints = Positive(r.GetValue(o.MapPoints), "--map-points"),
        };
        if (settings.Groups is { } groups && !File.Exists(groups)) throw new FileNotFoundException($"--groups: {groups} does not exist (moco dedup --out DIR writes DIR/groups.csv)", groups);
        var output = r.GetValue(o.Out)!;
        var data = Load(r.GetValue(o.Store)!);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllText(output, ReportPage.Render(data, settings));
        Console.WriteLine($"wrote {output} ({new FileInfo(output).Length / 1024} KiB, {data.Features.Rows} images)");
        return 0;
    }

    /// <summary>The store's rows in memory, and its source opened for thumbnails where it still opens.</summary>
    internal static ReportData Load(string folder)
    {
        var store = FeatureStoreReader.Open(folder);
        var table = store.ReadAll();
        if (table.Features.Rows == 0) throw new InvalidDataException($"store {folder} holds no features yet (run moco extract --out {folder})");
        IImageDataset? images = null;
        string thumbnails;
        try
        {
            images = DataSourceSpec.Parse(store.Source).Open(defaultTrain: true);
            thumbnails = images.Count == store.SourceCount ? $"thumbnails from {store.Source}" : $"no thumbnails: {store.Source} now holds {images.Count} items, the store's source {store.SourceCount}";
            if (images.Count != store.SourceCount) images = null;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException)
        {
            thumbnails = $"no thumbnails: the source {store.Source} does not open ({e.Message})";
        }

        var classes = store.LabelNames.Count > 0 ? store.LabelNames : Enumerable.Range(0, store.ClassCount).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
        return new ReportData
        {
            Features = table.Features, Labels = table.Labels, Paths = table.Paths, Items = table.Items, Classes = classes, Images = images,
            Title = $"moco report: {Path.GetFullPath(folder)}",
            Facts =
            [
                $"{table.Features.Rows} images × {store.FeatureDimension} features ({store.Format}), {store.Failures().Count} unreadable at extraction",
                $"source: {store.Source}; {thumbnails}",
                $"model: {store.ModelPath} (SHA-256 {store.ModelSha256[..Math.Min(12, store.ModelSha256.Length)]}…)",
                $"preprocessing: {store.Preprocessing}",
            ],
        };
    }

    private static int Positive(int value, string name) => value > 0 ? value : throw new ArgumentException($"{name} must be positive, got {value}");
}
