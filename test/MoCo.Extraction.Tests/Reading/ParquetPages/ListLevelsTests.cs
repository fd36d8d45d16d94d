using MoCo.Extraction.Reading.ParquetPages;

namespace MoCo.Extraction.Tests.Reading.ParquetPages;

// ListLevels against brute force: the levels expanded one int per value and compared with the expected pattern, on
// random level sequences (valid ones and ones with a level changed), encoded as RLE runs, bit-packed groups or both.
public class ListLevelsTests
{
    private static bool RepetitionByBruteForce(IReadOnlyList<int> levels, long first, int dimension) =>
        levels.Select((level, i) => level == ((first + i) % dimension == 0 ? 0 : 1)).All(ok => ok);

    [Test]
    public void Repetition_levels_agree_with_brute_force_in_every_encoding([Values(1, 2, 3, 8, 128)] int dimension, [Values(1, 8, 1000)] int minRun)
    {
        var random = new Random(dimension * 31 + minRun);
        for (var trial = 0; trial < 200; trial++)
        {
            var first = random.Next(0, 3 * dimension);
            var count = random.Next(1, 5 * dimension + 20);
            var levels = PageBytes.Repetition(first, count, dimension);
            if (trial % 2 == 1)
            {
                levels[random.Next(count)] = random.Next(2); // sometimes still right by chance: brute force decides
            }

            var encoded = PageBytes.Hybrid(levels, bitWidth: 1, minRun);
            Assert.That(ListLevels.RepetitionIsEvery(encoded, first, count, dimension), Is.EqualTo(RepetitionByBruteForce(levels, first, dimension)),
                $"trial {trial}: first {first}, count {count}, levels {string.Join("", levels)}");
        }
    }

    [Test]
    public void A_repetition_level_above_one_is_refused()
    {
        // Bit width 1 holds only 0 and 1; an RLE run's value takes a whole byte, so a 2 can be written there.
        byte[] rowStartThenTwos = [1 << 1, 0, 3 << 1, 2];
        Assert.That(ListLevels.RepetitionIsEvery(rowStartThenTwos, 0, 4, 4), Is.False);
        byte[] rowStartThenOnes = [1 << 1, 0, 3 << 1, 1];
        Assert.That(ListLevels.RepetitionIsEvery(rowStartThenOnes, 0, 4, 4), Is.True);
    }

    [Test]
    public void Definition_levels_agree_with_brute_force_in_every_encoding([Values(1, 2, 3, 7)] int maxLevel, [Values(1, 8, 1000)] int minRun)
    {
        var random = new Random(maxLevel * 17 + minRun);
        var bitWidth = ListLevels.BitWidth(maxLevel);
        for (var trial = 0; trial < 200; trial++)
        {
            var count = random.Next(1, 300);
            var levels = Enumerable.Repeat(maxLevel, count).ToArray();
            if (trial % 2 == 1)
            {
                levels[random.Next(count)] = random.Next(maxLevel + 1);
            }

            var encoded = PageBytes.Hybrid(levels, bitWidth, minRun);
            Assert.That(ListLevels.DefinitionIsEverywhere(encoded, maxLevel, count), Is.EqualTo(levels.All(l => l == maxLevel)), $"trial {trial}");
        }
    }

    [Test]
    public void Bit_width_is_the_bits_of_the_largest_level()
    {
        // Encodings.md: bit width = ceil(log2(max level + 1)).
        Assert.That(new[] { 1, 2, 3, 4, 7, 8 }.Select(ListLevels.BitWidth), Is.EqualTo(new[] { 1, 2, 2, 3, 3, 4 }));
    }

    [Test]
    public void Levels_that_end_before_their_count_are_refused_not_read_past()
    {
        var levels = PageBytes.Repetition(0, 64, 16);
        foreach (var minRun in new[] { 1, 1000 })
        {
            var encoded = PageBytes.Hybrid(levels, 1, minRun);
            for (var cut = 0; cut < encoded.Length; cut++)
            {
                Assert.That(ListLevels.RepetitionIsEvery(encoded.AsSpan(0, cut), 0, 64, 16), Is.False, $"cut at {cut} of {encoded.Length}");
            }

            Assert.That(ListLevels.RepetitionIsEvery(encoded, 0, 64, 16), Is.True);
        }
    }

    [Test]
    public void An_empty_run_is_refused()
    {
        // RLE header 0 (a run of no values) would never advance: refused rather than looped on.
        Assert.That(ListLevels.DefinitionIsEverywhere([0, 2], 2, 4), Is.False);
        Assert.That(ListLevels.DefinitionIsEverywhere([1], 2, 4), Is.False); // bit-packed, zero groups
    }
}
