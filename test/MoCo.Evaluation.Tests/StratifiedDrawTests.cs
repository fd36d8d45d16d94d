using NUnit.Framework;

namespace MoCo.Evaluation.Tests;

public sealed class StratifiedDrawTests
{
    // 3 classes with 46, 34 and 7 items, interleaved.
    private static int[] Pool() => [.. Enumerable.Range(0, 87).Select(i => i < 21 ? i % 3 : i < 60 ? (i % 2 == 0 ? 0 : 1) : i < 80 ? 0 : 1)];

    private static Dictionary<int, int> Counts(int[] labels, int[] chosen) =>
        chosen.GroupBy(i => labels[i]).ToDictionary(g => g.Key, g => g.Count());

    [Test]
    public void Draws_exactly_n_per_class_in_source_order_without_repeats()
    {
        int[] labels = Pool();
        var counts = labels.GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        int[] chosen = StratifiedDraw.PerClass(labels, 7, seed: 5);
        Assert.That(Counts(labels, chosen), Is.EquivalentTo(counts.ToDictionary(kv => kv.Key, _ => 7)));
        Assert.That(chosen, Is.Ordered.Ascending);
        Assert.That(chosen.Distinct().Count(), Is.EqualTo(chosen.Length));
    }

    [Test]
    public void The_same_seed_and_draw_give_the_same_subset_and_other_draws_differ()
    {
        int[] labels = Pool();
        int[] first = StratifiedDraw.PerClass(labels, 5, 11, draw: 1), again = StratifiedDraw.PerClass(labels, 5, 11, draw: 1);
        Assert.That(again, Is.EqualTo(first));
        Assert.That(StratifiedDraw.PerClass(labels, 5, 11, draw: 2), Is.Not.EqualTo(StratifiedDraw.PerClass(labels, 5, 11, draw: 1)));
        Assert.That(StratifiedDraw.PerClass(labels, 5, 12, draw: 1), Is.Not.EqualTo(StratifiedDraw.PerClass(labels, 5, 11, draw: 1)));
    }

    [Test]
    public void A_smaller_budget_is_a_subset_of_a_larger_one_of_the_same_draw()
    {
        int[] labels = Pool();
        int[] small = StratifiedDraw.PerClass(labels, 2, 3), large = StratifiedDraw.PerClass(labels, 6, 3);
        Assert.That(large, Is.SupersetOf(small));
    }

    [Test]
    public void Every_item_is_equally_likely_over_many_seeds()
    {
        // One class of 10 items, 3 drawn: each item's frequency is 3/10 (binomial sd over 4000 seeds ≈ 0.0072).
        int[] labels = new int[10];
        var hits = new int[10];
        const int seeds = 4000;
        for (ulong s = 0; s < seeds; s++) foreach (int i in StratifiedDraw.PerClass(labels, 3, s)) hits[i]++;
        foreach (int h in hits) Assert.That(h / (double)seeds, Is.EqualTo(0.3).Within(0.03));
    }

    [Test]
    public void A_fraction_rounds_per_class_and_keeps_at_least_one()
    {
        int[] labels = Pool(); // 0: 46, 1: 34, 2: 7
        var counts = labels.GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        Assert.That(counts, Is.EquivalentTo(new Dictionary<int, int> { [0] = 46, [1] = 34, [2] = 7 }));
        int[] chosen = StratifiedDraw.Fraction(labels, 0.1, 1);
        Assert.That(Counts(labels, chosen), Is.EquivalentTo(new Dictionary<int, int> { [0] = 5, [1] = 3, [2] = 1 }));
        Assert.That(StratifiedDraw.Fraction(labels, 1.0, 1), Is.EqualTo(Enumerable.Range(0, labels.Length)));
    }

    [Test]
    public void A_class_with_too_few_items_is_named()
    {
        var e = Assert.Throws<ArgumentException>(() => StratifiedDraw.PerClass(Pool(), 8, 0))!;
        Assert.That(e.Message, Does.Contain("class 2 has 7"));
        Assert.Throws<ArgumentException>(() => StratifiedDraw.PerClass([0, 1, -1], 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedDraw.Fraction(Pool(), 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedDraw.PerClass(Pool(), 0, 0));
    }
}
