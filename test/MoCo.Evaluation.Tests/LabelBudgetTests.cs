using NUnit.Framework;

namespace MoCo.Evaluation.Tests;

// LabelBudget: the one budget concept of moco probe and moco finetune (moved here from MoCo.MLNet's probing).
public sealed class LabelBudgetTests
{
    private static readonly string[] Classes = ["ant", "bee", "cat"];

    // 3 classes with 8, 4 and 9 items, interleaved.
    private static int[] Pool() => [.. Enumerable.Range(0, 21).Select(i => i < 12 ? i % 3 : i < 14 ? 0 : i < 19 ? 2 : 0)];

    [TestCase("0", "not a positive count")]
    [TestCase("x", "'x' is not a positive count or 'all'")]
    [TestCase("1,,5", "an empty item")]
    [TestCase("5,5", "names a budget twice")]
    public void Bad_per_class_lists_are_refused(string text, string message) =>
        Assert.That(() => LabelBudget.ParsePerClass(text), Throws.ArgumentException.With.Message.Contain(message));

    [TestCase("0")]
    [TestCase("1.5")]
    [TestCase("a")]
    public void Bad_fractions_are_refused(string text) =>
        Assert.That(() => LabelBudget.ParseFraction(text), Throws.ArgumentException.With.Message.Contain("--label-fraction"));

    [Test]
    public void Budgets_parse_and_all_is_one_draw()
    {
        Assert.That(LabelBudget.ParsePerClass("1, 10,all").Select(b => (b.Text, b.IsAll)), Is.EqualTo(new[] { ("1", false), ("10", false), ("all", true) }));
        Assert.That(LabelBudget.ParseFraction("0.01,1").Select(b => (b.Text, b.IsAll)), Is.EqualTo(new[] { ("0.01", false), ("1", true) }));
        Assert.That(LabelBudget.ParseEither(null, null), Is.Null);
        Assert.That(LabelBudget.ParseEither("5", null)!.Single().PerClass, Is.EqualTo(5));
        Assert.That(() => LabelBudget.ParseEither("5", "0.1"), Throws.ArgumentException.With.Message.Contain("not both"));
    }

    [Test]
    public void A_single_runs_budget_is_its_count_its_fraction_or_all()
    {
        Assert.That(LabelBudget.Of(3, null), Is.EqualTo(LabelBudget.OfPerClass(3)));
        Assert.That(LabelBudget.Of(null, 0.25), Is.EqualTo(LabelBudget.OfFraction(0.25)));
        Assert.That(LabelBudget.Of(null, null), Is.SameAs(LabelBudget.All));
        Assert.That(() => LabelBudget.Of(3, 0.5), Throws.ArgumentException.With.Message.Contain("not both"));
        Assert.That(() => LabelBudget.Of(0, null), Throws.ArgumentException);
        Assert.That(LabelBudget.OfPerClass(10).Description, Is.EqualTo("10 per class"));
        Assert.That(LabelBudget.All.Description, Is.EqualTo("all"));
    }

    [Test]
    public void Draws_are_StratifiedDraws_and_a_short_class_is_named()
    {
        int[] labels = Pool();
        Assert.That(LabelBudget.OfPerClass(4).Draw(labels, Classes, seed: 2, draw: 1), Is.EqualTo(StratifiedDraw.PerClass(labels, 4, 2, 1)));
        Assert.That(LabelBudget.OfFraction(0.5).Draw(labels, Classes, seed: 2, draw: 0), Is.EqualTo(StratifiedDraw.Fraction(labels, 0.5, 2, 0)));
        Assert.That(LabelBudget.All.Draw(labels, Classes, 2, 0), Is.EqualTo(Enumerable.Range(0, labels.Length)));
        Assert.That(LabelBudget.OfFraction(1).Draw(labels, Classes, 2, 3), Is.EqualTo(Enumerable.Range(0, labels.Length)));
        var e = Assert.Throws<ArgumentException>(() => LabelBudget.OfPerClass(5).Draw(labels, Classes, 0, 0));
        Assert.That(e!.Message, Does.Contain("--labels-per-class 5").And.Contain("'bee' has 4").And.Not.Contain("'cat'"));
        Assert.That(() => LabelBudget.OfPerClass(1).Draw([0, 3], Classes, 0, 0), Throws.ArgumentException.With.Message.Contain("label 3 is not one of the 3 classes"));
    }
}
