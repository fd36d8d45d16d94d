using MoCo.Evaluation.Selection;

namespace MoCo.Evaluation.Tests.Selection;

public class LabelSelectionTests
{
    private static readonly FeatureMatrix Pool = SelectionData.Uniform(10, 3, seed: 1);

    [Test]
    public void A_budget_out_of_range_names_what_is_available([Values(SelectionMethod.KCenter, SelectionMethod.Random, SelectionMethod.Cluster)] SelectionMethod method)
    {
        Assert.That(Assert.Throws<ArgumentException>(() => LabelSelection.Select(Pool, 9, method, [1, 2]))!.Message, Does.Contain("8 unlabelled items"));
        Assert.Throws<ArgumentException>(() => LabelSelection.Select(Pool, 0, method));
    }

    [Test]
    public void A_labelled_item_outside_the_pool_is_refused() =>
        Assert.That(Assert.Throws<ArgumentException>(() => LabelSelection.Select(Pool, 2, SelectionMethod.KCenter, [10]))!.Message, Does.Contain("labelled item 10"));

    [Test]
    public void Method_names_round_trip()
    {
        foreach (var method in Enum.GetValues<SelectionMethod>()) Assert.That(SelectionMethodNames.Parse(SelectionMethodNames.Name(method)), Is.EqualTo(method));
        Assert.That(Assert.Throws<ArgumentException>(() => SelectionMethodNames.Parse("coreset"))!.Message, Does.Contain(SelectionMethodNames.All));
    }
}
