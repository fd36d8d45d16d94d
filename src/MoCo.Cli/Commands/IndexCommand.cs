using System.CommandLine;
using MoCo.Cli.Options;
using MoCo.Extraction.Reading;
using MoCo.Search;
using MoCo.Search.Ann;
using MoCo.Search.Index;

namespace MoCo.Cli.Commands;

/// <summary>`moco index`: the store's ANN index (USearch HNSW, cosine) built beside it, or brought up to date with the
/// rows appended since (docs/search.md).</summary>
internal static class IndexCommand
{
    internal sealed class Options : ICommandOptions
    {
        internal readonly Option<string> Store = DataOptions.Store();
        internal readonly Option<int> Threads = new("--threads") { Description = "threads inserting into the graph (0: one per core)", DefaultValueFactory = _ => 0 };
        internal readonly Option<int> Connectivity = new("--connectivity") { Description = "HNSW links per node (M); another value rebuilds the index", DefaultValueFactory = _ => HnswParameters.Default.Connectivity };
        internal readonly Option<int> ExpansionAdd = new("--expansion-add") { Description = "HNSW candidates while inserting (efConstruction); another value rebuilds the index", DefaultValueFactory = _ => HnswParameters.Default.ExpansionAdd };

        public IEnumerable<Option> All => [Store, Threads, Connectivity, ExpansionAdd];
    }

    internal static Command Create(Options? o = null) => CommandOptions.Build("index",
        "Build the store's approximate nearest-neighbour index (cosine, USearch HNSW) beside it; run again after the store grows to add only the new rows.",
        o ?? new Options(), Run);

    private static int Run(ParseResult r, Options o)
    {
        var folder = r.GetValue(o.Store)!;
        var rows = StoreRows.Load(FeatureStoreReader.Open(folder));
        var parameters = new HnswParameters(r.GetValue(o.Connectivity), r.GetValue(o.ExpansionAdd));
        var update = StoreIndex.Update(folder, rows, parameters, SearchThreads.Resolve(r.GetValue(o.Threads)));
        if (update.RebuiltBecause is { } why)
        {
            Console.WriteLine($"rebuilt the index: {why}");
        }

        var what = update.RowsAdded == 0 ? "up to date" : update.RowsBefore == 0 ? $"built over {update.RowsAdded:N0} rows" : $"added {update.RowsAdded:N0} rows to {update.RowsBefore:N0}";
        Console.WriteLine($"index {Path.Combine(folder, StoreIndex.IndexFileName)}: {what}, {update.Rows:N0} rows in all ({update.Seconds:F1} s)");
        return 0;
    }
}

/// <summary>The search commands' --threads: 0 means one per core.</summary>
internal static class SearchThreads
{
    internal static int Resolve(int threads) => threads switch
    {
        < 0 => throw new ArgumentException($"--threads {threads}: give 0 (one per core) or more."),
        0 => Environment.ProcessorCount,
        _ => threads,
    };
}
