using MoCo.Evaluation;
using MoCo.Search.Ann;
using MoCo.Search.Exact;
using MoCo.Search.Index;
using MoCo.Search.Tests.Support;

namespace MoCo.Search.Tests.Index;

// A store that grows (2,000 rows, then 3,000 as a resumed extraction appends): the index catches up by adding the
// 1,000 new rows, and answers as a rebuild over 3,000 does. Reference: exact search (recall@10 of both >= 0.98, and
// their top-10 lists agree on >= 98% of rows; HNSW graphs depend on insertion order, so equality is up to ANN misses).
public class StoreIndexTests
{
    private static readonly FeatureMatrix All = SyntheticFeatures.Clustered(3000, 64, 30, seed: 4);
    private string _store = null!;

    [SetUp]
    public void SetUp() => _store = Directory.CreateTempSubdirectory("store-index-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_store, recursive: true);

    private static IReadOnlyList<long>[] Top10(string folder, StoreRows rows, int[] queries)
    {
        using var search = NeighborSearch.Indexed(folder, rows, expansionSearch: 64);
        Assert.That(search.Approximate);
        return queries.Select(q => (IReadOnlyList<long>)search.Query(rows.Features.Row(q), 10, q).Select(n => n.Row).ToArray()).ToArray();
    }

    [Test]
    public void The_index_catches_up_when_the_store_grows_and_answers_as_a_rebuild_does()
    {
        var first = StoreIndex.Update(_store, SyntheticFeatures.Store(All, 2000), HnswParameters.Default, threads: 2);
        Assert.That(first, Is.EqualTo(first with { RowsBefore = 0, RowsAdded = 2000, Rows = 2000, RebuiltBecause = null }));

        var grown = SyntheticFeatures.Store(All, 3000);
        var update = StoreIndex.Update(_store, grown, HnswParameters.Default, threads: 2);
        Assert.That((update.RowsBefore, update.RowsAdded, update.Rows, update.RebuiltBecause), Is.EqualTo((2000L, 1000L, 3000L, (string?)null)));
        Assert.That(IndexSidecar.Read(Path.Combine(_store, StoreIndex.SidecarFileName))!.Rows, Is.EqualTo(3000));
        var again = StoreIndex.Update(_store, grown, HnswParameters.Default, threads: 2);
        Assert.That(again.RowsAdded, Is.Zero, "up to date: nothing to add");

        var rebuilt = Directory.CreateTempSubdirectory("store-rebuilt-").FullName;
        try
        {
            StoreIndex.Update(rebuilt, grown, HnswParameters.Default, threads: 2);
            var queries = Enumerable.Range(0, 200).Select(i => i * 15).ToArray();
            var unit = grown.Features.L2Normalised();
            var exact = ExactCosineSearch.Search(unit, unit.Select(queries), 10, queries.Select(q => (long)q).ToArray())
                .Select(r => (IReadOnlyList<long>)r.Select(n => n.Row).ToArray()).ToArray();
            var caughtUp = Top10(_store, grown, queries);
            var fresh = Top10(rebuilt, grown, queries);
            Assert.That(NaiveCosine.Recall(exact, caughtUp), Is.GreaterThanOrEqualTo(0.98));
            Assert.That(NaiveCosine.Recall(exact, fresh), Is.GreaterThanOrEqualTo(0.98));
            Assert.That(NaiveCosine.Recall(fresh, caughtUp), Is.GreaterThanOrEqualTo(0.98));
            Assert.That(caughtUp.SelectMany(r => r).Where(r => r >= 2000), Is.Not.Empty, "new rows are found");
        }
        finally
        {
            Directory.Delete(rebuilt, recursive: true);
        }
    }

    [Test]
    public void A_second_writer_is_refused_while_the_store_is_locked_and_writes_nothing()
    {
        using (MoCo.Extraction.StoreWriterLock.Acquire(_store, "moco extract"))
        {
            var refused = Assert.Throws<InvalidOperationException>(() =>
                StoreIndex.Update(_store, SyntheticFeatures.Store(All, 200), HnswParameters.Default, threads: 1));
            Assert.That(refused!.Message, Does.Contain(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(File.Exists(Path.Combine(_store, StoreIndex.IndexFileName)), Is.False);
        }

        Assert.That(StoreIndex.Update(_store, SyntheticFeatures.Store(All, 200), HnswParameters.Default, threads: 1).Rows, Is.EqualTo(200));
    }

    [Test]
    public void A_stale_index_is_searched_for_the_rows_it_covers_and_new_rows_exactly()
    {
        StoreIndex.Update(_store, SyntheticFeatures.Store(All, 2000), HnswParameters.Default, threads: 1);
        var grown = SyntheticFeatures.Store(All, 3000);
        using var search = NeighborSearch.Indexed(_store, grown, expansionSearch: 64);
        Assert.That(search.RowsBeyondIndex, Is.EqualTo(1000));
        var found = search.Query(grown.Features.Row(2500), 5, excludedRow: 2500);
        var exact = ExactCosineSearch.Search(grown.Features.L2Normalised(), grown.Features.Select([2500]).L2Normalised(), 5, [2500])[0];
        Assert.That(found, Is.EqualTo(exact), "the query's cluster-mates beyond the index come from the exact scan");
    }

    [Test]
    public void Another_model_renumbered_rows_other_parameters_or_an_interrupted_update_rebuild_and_say_why()
    {
        var rows = SyntheticFeatures.Store(All, 500);
        StoreIndex.Update(_store, rows, HnswParameters.Default, threads: 1);

        var otherModel = StoreIndex.Update(_store, rows with { ModelSha256 = "model-b" }, HnswParameters.Default, threads: 1);
        Assert.That(otherModel.RebuiltBecause, Does.Contain("model model-a").And.Contain("model-b"));
        Assert.That(otherModel.RowsAdded, Is.EqualTo(500));

        var renumbered = rows with { Paths = rows.Paths.Reverse().ToArray(), ModelSha256 = "model-b" };
        Assert.That(StoreIndex.Update(_store, renumbered, HnswParameters.Default, threads: 1).RebuiltBecause, Does.Contain("not the 500"));

        Assert.That(StoreIndex.Update(_store, renumbered, new HnswParameters(Connectivity: 8), threads: 1).RebuiltBecause, Does.Contain("connectivity 16"));

        // The graph saved but the sidecar not yet (killed between the two): counts disagree, so the next update rebuilds.
        using (var index = HnswCosineIndex.Create(64, new HnswParameters(Connectivity: 8)))
        {
            index.Add(renumbered.Features, 0, 100, 0, 1);
            index.Save(Path.Combine(_store, StoreIndex.IndexFileName));
        }

        Assert.That(StoreIndex.Update(_store, renumbered, new HnswParameters(Connectivity: 8), threads: 1).RebuiltBecause, Does.Contain("interrupted"));
        Assert.That(() => NeighborSearch.Indexed(_store, rows, 64), Throws.InvalidOperationException.With.Message.Contains("does not describe the store"));
    }

    [Test]
    public void A_store_without_an_index_says_what_to_run()
    {
        Assert.That(() => NeighborSearch.Indexed(_store, SyntheticFeatures.Store(All, 10), 64),
            Throws.InvalidOperationException.With.Message.Contains("moco index --store").And.Message.Contains("--exact"));
    }
}
