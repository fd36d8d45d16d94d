using System.CommandLine;
using System.Globalization;
using MoCo.Cli.Options;
using MoCo.Evaluation.Selection;
using MoCo.Extraction.Reading;
using MoCo.Imaging.Datasets;

namespace MoCo.Cli.Commands;

/// <summary>
/// `moco select`: which images of a feature store to label first. Greedy k-center on the store's L2-normalised
/// features (the coreset rule), a seeded random draw, or k-means with a balanced pick per cluster
/// (<see cref="LabelSelection"/>); items already labelled (<c>--exclude</c>) count as chosen. Writes a selection list
/// (<see cref="SelectionList"/>): one item a line, under a header naming the store's source, so the list is a data
/// source that <c>moco probe --train</c> reads with the source's labels.
/// </summary>
internal static class SelectCommand
{
    internal sealed class Options : ICommandOptions
    {
        internal readonly Option<string> Store = DataOptions.Store();
        internal readonly Option<int> Budget = new("--budget") { Description = "how many images to choose", Required = true };
        internal readonly Option<string> Method = new("--method") { Description = $"{SelectionMethodNames.All}: greedy k-center (coreset), seeded random, k-means + the image nearest each centroid, or k-means + the most typical (densest) image of each cluster (TypiClust)", DefaultValueFactory = _ => "kcenter" };
        internal readonly Option<string?> Exclude = new("--exclude") { Description = "images already labelled, one path a line (a list moco select wrote, or path,label lines): never chosen, counted as chosen" };
        internal readonly Option<int?> Clusters = new("--clusters") { Description = "--method cluster or typical: k of k-means (default: the budget; typical: already labelled + the budget)" };
        internal readonly Option<ulong> Seed = new("--seed") { Description = "seed of --method random and of k-means++ (kcenter uses none)", DefaultValueFactory = _ => 0 };
        internal readonly Option<string> Out = new("--out") { Description = "the list to write (.txt): a '# moco selection of: SOURCE' header, then one image a line", Required = true };

        public IEnumerable<Option> All => [Store, Budget, Method, Exclude, Clusters, Seed, Out];
    }

    internal static Command Create(Options? o = null) => CommandOptions.Build("select",
        "Which images to label: the --budget images of a store that cover it best (greedy k-center on the features), a random draw, or a balanced pick per k-means cluster (nearest the centroid, or the most typical); " +
        "writes a list that moco probe --train reads.",
        o ?? new Options(), Run);

    private static int Run(ParseResult r, Options o)
    {
        var method = SelectionMethodNames.Parse(r.GetValue(o.Method)!);
        var output = r.GetValue(o.Out)!;
        if (!output.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)) throw new ArgumentException($"--out {output}: give a .txt file, so the list reads back as a data source");
        if (r.GetValue(o.Clusters) is { } k && method is not (SelectionMethod.Cluster or SelectionMethod.Typical)) throw new ArgumentException($"--clusters {k} is for --method cluster or typical");
        var store = FeatureStoreReader.Open(r.GetValue(o.Store)!);
        var table = store.ReadAll();
        var labelled = r.GetValue(o.Exclude) is { } exclude ? Labelled(exclude, table.Paths) : [];
        var budget = r.GetValue(o.Budget);
        var picks = LabelSelection.Select(table.Features, budget, method, labelled, r.GetValue(o.Seed), r.GetValue(o.Clusters));
        var radius = Coverage.CoveringRadius(table.Features, [.. picks, .. labelled]);
        var name = SelectionMethodNames.Name(method);
        var summary = $"{name}: {budget} of {table.Features.Rows} images of {Path.GetFullPath(store.Folder)}" +
            (labelled.Count > 0 ? $", {labelled.Count} already labelled counted as chosen" : "") +
            $"; covering radius {radius.ToString("0.####", CultureInfo.InvariantCulture)} (largest L2 distance of an image's normalised features to the nearest chosen or labelled one)";
        var directory = Path.GetDirectoryName(Path.GetFullPath(output))!;
        Directory.CreateDirectory(directory);
        SelectionList.Write(output, store.Source, picks.Select(i => table.Paths[i]), [summary]);
        Console.WriteLine(summary);
        Console.WriteLine($"wrote {output} (moco probe --train {output} reads it with the source's labels)");
        return 0;
    }

    /// <summary>The store rows of the images listed in <paramref name="path"/>: one path a line (the whole line, or
    /// the part before a last ',' or tab, as in path,label lists; relative paths against the list's folder); '#' lines
    /// skipped. Lines naming no image of the store are counted on stderr.</summary>
    internal static List<int> Labelled(string path, IReadOnlyList<string> paths)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"--exclude: {path} does not exist", path);
        var rowOf = new Dictionary<string, int>(paths.Count, StringComparer.Ordinal);
        for (var i = 0; i < paths.Count; i++) rowOf.TryAdd(paths[i], i);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var rows = new HashSet<int>();
        var unknown = new List<string>();
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var separator = line.LastIndexOfAny([',', '\t']);
            string[] candidates = separator > 0 ? [line, line[..separator].Trim()] : [line];
            var found = candidates.SelectMany(c => new[] { c, Path.GetFullPath(c, folder) })
                .Select(c => rowOf.TryGetValue(c, out var row) ? row : -1).FirstOrDefault(row => row >= 0, -1);
            if (found >= 0) rows.Add(found);
            else unknown.Add(line);
        }

        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"--exclude: {unknown.Count} line(s) of {path} name no image of the store (skipped), e.g. '{unknown[0]}'");
        }

        return [.. rows.Order()];
    }
}
