using MoCo.Evaluation.Selection;

namespace MoCo.Evaluation.Tests.Selection;

public class RandomSelectionTests
{
    private static readonly FeatureMatrix Pool = SelectionData.Uniform(20, 3, seed: 1);

    [Test]
    public void The_same_seed_gives_the_same_picks_and_another_seed_others()
    {
        var a = LabelSelection.Select(Pool, 6, SelectionMethod.Random, seed: 42);
        Assert.That(LabelSelection.Select(Pool, 6, SelectionMethod.Random, seed: 42), Is.EqualTo(a));
        Assert.That(LabelSelection.Select(Pool, 6, SelectionMethod.Random, seed: 43), Is.Not.EqualTo(a));
        Assert.That(LabelSelection.Select(Pool, 3, SelectionMethod.Random, seed: 42), Is.EqualTo(a[..3]), "a smaller budget is a prefix");
    }

    [Test]
    public void Labelled_items_are_excluded()
    {
        int[] labelled = [0, 5, 7, 19];
        for (ulong seed = 0; seed < 50; seed++)
        {
            var picks = LabelSelection.Select(Pool, 16, SelectionMethod.Random, labelled, seed);
            Assert.That(picks.Order(), Is.EqualTo(Enumerable.Range(0, 20).Except(labelled)), $"seed {seed}");
        }
    }

    [Test]
    public void Every_item_is_equally_likely()
    {
        // Reference: a uniform draw of 5 of 20 picks each item with probability 1/4; over 4,000 seeds an item's count
        // is Binomial(4000, 0.25): mean 1000, sd 27.4; 6 sd either side.
        var counts = new int[20];
        for (ulong seed = 0; seed < 4000; seed++)
        {
            foreach (var i in LabelSelection.Select(Pool, 5, SelectionMethod.Random, seed: seed)) counts[i]++;
        }

        Assert.That(counts, Has.All.InRange(1000 - 165, 1000 + 165));
    }
}
