using MoCo.MLNet.Runtime;

namespace MoCo.MLNet.Tests.Runtime;

// The read-ahead's decode placement rule on recorded times: the moving averages against their closed form, the switch
// to inline below InlineBelow and back above OverlapAbove (not between: hysteresis), and fixed modes never switching.
public class DecodePlacementTests
{
    [Test]
    public void Auto_starts_beside_ORT_and_moves_inline_when_decoding_is_cheap()
    {
        var placement = new DecodePlacement(DecodePlacementMode.Auto);
        Assert.That(placement.DecodeInline, Is.False);
        Assert.That(double.IsNaN(placement.Ratio));
        placement.RecordDecode(0.010, 256);                  // 1/20 of ORT's time per image
        Assert.That(placement.DecodeInline, Is.False, "ORT not measured yet");
        placement.RecordInfer(0.200, 256);
        Assert.That(placement.Ratio, Is.EqualTo(0.05).Within(1e-12));
        Assert.That(placement.DecodeInline, Is.True);
    }

    [Test]
    public void The_averages_move_by_three_tenths_and_the_switch_back_needs_the_upper_ratio()
    {
        var placement = new DecodePlacement(DecodePlacementMode.Auto);
        placement.RecordDecode(1.0, 10);                     // 0.1 s per image
        placement.RecordInfer(10.0, 10);                     // 1 s per image: ratio 0.1, inline
        Assert.That(placement.DecodeInline, Is.True);
        placement.RecordDecode(4.0, 10);                     // 0.4 per image: average 0.1 + 0.3·(0.4 − 0.1) = 0.19
        Assert.That(placement.Ratio, Is.EqualTo(0.19).Within(1e-12));
        placement.RecordDecode(8.0, 10);                     // 0.19 + 0.3·(0.8 − 0.19) = 0.373: between the bounds, stays
        Assert.That(placement.Ratio, Is.EqualTo(0.373).Within(1e-12));
        Assert.That(placement.DecodeInline, Is.True);
        placement.RecordDecode(8.0, 10);                     // 0.373 + 0.3·(0.8 − 0.373) = 0.5011 > 0.4: back beside ORT
        Assert.That(placement.Ratio, Is.EqualTo(0.5011).Within(1e-12));
        Assert.That(placement.DecodeInline, Is.False);
        placement.RecordDecode(3.0, 10);                     // 0.5011 + 0.3·(0.3 − 0.5011) = 0.44077: above 0.2, stays
        Assert.That(placement.DecodeInline, Is.False);
    }

    [Test]
    public void Fixed_modes_do_not_switch_and_empty_or_bad_records_are_ignored()
    {
        var overlap = new DecodePlacement(DecodePlacementMode.Overlap);
        var inline = new DecodePlacement(DecodePlacementMode.Inline);
        foreach (var p in new[] { overlap, inline })
        {
            p.RecordDecode(0.001, 100);
            p.RecordInfer(1.0, 100);
            p.RecordDecode(double.NaN, 100);
            p.RecordInfer(1.0, 0);
            Assert.That(p.Ratio, Is.EqualTo(0.001).Within(1e-12));
        }

        Assert.That(overlap.DecodeInline, Is.False);
        Assert.That(inline.DecodeInline, Is.True);
        inline.RecordDecode(1000, 1);
        Assert.That(inline.DecodeInline, Is.True);
    }
}
