using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MoCo.Cli.Options;
using MoCo.Extraction.Reading;
using MoCo.MLNet;
using MoCo.Search;
using MoCo.Search.Ann;

namespace MoCo.Cli.Commands;

/// <summary>`moco neighbors`: the k store images most similar to an image (of the store or not) by cosine of their
/// features; a new image goes through the store's own encoder and preprocessing.</summary>
internal static class NeighborsCommand
{
    internal sealed class Options : ICommandOptions
    {
        internal readonly Option<string> Store = DataOptions.Store();
        internal readonly Option<string> Image = new("--image") { Description = "the query image: a file of the store (then not its own neighbour) or any image file (featurised with the store's encoder)" };
        internal readonly Option<int?> Item = new("--item") { Description = "the query as a store item number (its index in the extraction's source)" };
        internal readonly Option<int> K = new("--k") { Description = "neighbours to list", DefaultValueFactory = _ => 10 };
        internal readonly Option<bool> Exact = new("--exact") { Description = "brute-force search over every row instead of the index" };
        internal readonly Option<bool> Json = new("--json") { Description = "one JSON line: {\"query\", \"neighbors\": [{\"path\", \"label\", \"similarity\"}, ...]}, most similar first" };
        internal readonly Option<int> ExpansionSearch = new("--expansion-search") { Description = "HNSW candidates while searching (ef): more is slower and finds more of the exact neighbours", DefaultValueFactory = _ => HnswParameters.Default.ExpansionSearch };
        internal readonly Option<string> Model = new("--model") { Description = "the store's encoder if it moved (refused unless its bytes are the store's)" };

        public IEnumerable<Option> All => [Store, Image, Item, K, Exact, Json, ExpansionSearch, Model];
    }

    internal static Command Create(Options? o = null) => CommandOptions.Build("neighbors",
        "List the store's images most similar to an image (--image PATH or --item ID) by cosine similarity of their features.",
        o ?? new Options(), Run);

    private static int Run(ParseResult r, Options o)
    {
        var folder = r.GetValue(o.Store)!;
        var image = r.GetValue(o.Image);
        var item = r.GetValue(o.Item);
        if ((image is null) == (item is null))
        {
            throw new ArgumentException("give the query as --image PATH or --item ID (one of them).");
        }

        var k = r.GetValue(o.K);
        if (k < 1)
        {
            throw new ArgumentException($"--k {k}: give 1 or more.");
        }

        var store = FeatureStoreReader.Open(folder);
        var rows = StoreRows.Load(store);
        var (query, row) = Query(store, rows, image, item, r.GetValue(o.Model));
        using var search = r.GetValue(o.Exact) ? NeighborSearch.Exact(rows) : NeighborSearch.Indexed(folder, rows, r.GetValue(o.ExpansionSearch));
        var found = search.Query(query, k, row);
        var name = row >= 0 ? rows.Paths[(int)row] : Path.GetFullPath(image!);
        if (r.GetValue(o.Json))
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                query = name,
                neighbors = found.Select(n => new { path = rows.Paths[(int)n.Row], label = rows.LabelText(rows.Labels[(int)n.Row]), similarity = Math.Round(n.Similarity, 6) }),
            }));
            return 0;
        }

        Console.WriteLine($"{found.Length} nearest to {name} ({(search.Approximate ? "index" : "exact")}{(search.RowsBeyondIndex > 0 ? $"; {search.RowsBeyondIndex} rows newer than the index searched exactly" : "")}):");
        for (var i = 0; i < found.Length; i++)
        {
            var n = found[i];
            var label = rows.LabelText(rows.Labels[(int)n.Row]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i + 1,3}. {n.Similarity:F4}  {rows.Paths[(int)n.Row]}{(label is null ? "" : $"  [{label}]")}"));
        }

        return 0;
    }

    /// <summary>The query's features and its row (−1 when it is not in the store).</summary>
    private static (float[] Features, long Row) Query(FeatureStoreReader store, StoreRows rows, string? image, int? item, string? model)
    {
        if (item is { } id)
        {
            var at = IndexOf(rows.Items, id);
            return at < 0
                ? throw new ArgumentException($"--item {id}: store {store.Folder} has no readable row for that item.")
                : (rows.Features.Row(at).ToArray(), at);
        }

        var full = Path.GetFullPath(image!);
        var row = IndexOf(rows.Paths, full);
        if (row < 0)
        {
            row = IndexOf(rows.Paths, image!); // IDX items are named, not files
        }

        if (row >= 0)
        {
            return (rows.Features.Row(row).ToArray(), row);
        }

        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"--image {image}: no such file, and no store row of that name.", full);
        }

        using var featurizer = model is null ? store.OpenFeaturizer() : store.OpenFeaturizer(new MoCoFeaturesOptions { ModelPath = model });
        var features = featurizer.Featurize([MoCoImageInput.FromFile(full)]);
        var vector = new float[features.GetLength(1)];
        for (var d = 0; d < vector.Length; d++)
        {
            vector[d] = features[0, d];
        }

        if (vector.Any(float.IsNaN))
        {
            throw new InvalidDataException($"--image {image}: the image could not be read.");
        }

        return (vector, -1);
    }

    private static int IndexOf<T>(IReadOnlyList<T> list, T value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (EqualityComparer<T>.Default.Equals(list[i], value))
            {
                return i;
            }
        }

        return -1;
    }
}
