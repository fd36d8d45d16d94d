using MoCo.Evaluation.Selection;

namespace MoCo.Evaluation.Tests.Selection;

public class CoverageTests
{
    [Test]
    public void Covering_radius_equals_a_brute_force_reference()
    {
        // Reference: SelectionData.CoveringRadius in doubles; float32 dot products of unit rows err by ~1e-7, which
        // √(2 − 2cos) turns into ≤ 1e-3 near 0 and much less at the radii here.
        var x = SelectionData.Uniform(250, 9, seed: 2);
        int[] centres = [3, 17, 99, 200];
        Assert.That(Coverage.CoveringRadius(x, centres), Is.EqualTo(SelectionData.CoveringRadius(SelectionData.NormalisedRows(x), centres)).Within(1e-5));
    }

    [Test]
    public void Every_item_a_centre_has_radius_zero() =>
        Assert.That(Coverage.CoveringRadius(SelectionData.Uniform(10, 3, seed: 1), Enumerable.Range(0, 10).ToArray()), Is.EqualTo(0).Within(1e-3));

    [Test]
    public void Bad_centres_are_refused()
    {
        var x = SelectionData.Uniform(10, 3, seed: 1);
        Assert.Throws<ArgumentException>(() => Coverage.CoveringRadius(x, []));
        Assert.That(Assert.Throws<ArgumentException>(() => Coverage.CoveringRadius(x, [10]))!.Message, Does.Contain("centre 10"));
    }
}
