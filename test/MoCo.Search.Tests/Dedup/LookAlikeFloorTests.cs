using MoCo.Search.Dedup;

namespace MoCo.Search.Tests.Dedup;

// References: Φ⁻¹ by bisection on Φ computed with Simpson's rule over the normal density (independent of the closed
// form under test); the floor's promise checked by simulation (draws of log-normal nearest-neighbour distances, the
// closest of them against the fitted threshold).
public class LookAlikeFloorTests
{
    private static double NormalCdf(double z)
    {
        // Φ(z) = 1/2 + ∫₀^z φ, Simpson with 20,000 intervals.
        const int n = 20_000;
        var h = z / n;
        double sum = 0;
        for (var i = 0; i <= n; i++)
        {
            var weight = i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2;
            var x = i * h;
            sum += weight * Math.Exp(-x * x / 2);
        }

        return 0.5 + (sum * h / 3 / Math.Sqrt(2 * Math.PI));
    }

    private static double UpperQuantileZ(double tail)
    {
        double lo = 0, hi = 10;
        for (var i = 0; i < 60; i++)
        {
            var mid = (lo + hi) / 2;
            (lo, hi) = 1 - NormalCdf(mid) > tail ? (mid, hi) : (lo, mid);
        }

        return (lo + hi) / 2;
    }

    [TestCase(50)]
    [TestCase(1_000)]
    [TestCase(100_000)]
    [TestCase(10_000_000)]
    public void The_normal_maximum_location_is_within_0_08_of_the_upper_1_over_n_quantile(double n) =>
        Assert.That(LookAlikeFloor.ExpectedMaximumZ(n), Is.EqualTo(UpperQuantileZ(1 / n)).Within(0.08));

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    [Test]
    public void The_fit_recovers_a_log_normal_and_its_threshold_is_reached_by_the_closest_pair_about_5_percent_of_the_time()
    {
        const int rows = 2_000;
        const double mu = -3.3, sigma = 0.9;
        var reached = 0;
        const int trials = 200;
        for (var seed = 0; seed < trials; seed++)
        {
            var rng = new Random(seed);
            var distances = Enumerable.Range(0, rows).Select(_ => Math.Exp(mu + (sigma * Gaussian(rng)))).ToArray();
            var fit = LookAlikeFloor.Fit(distances);
            Assert.That(fit.Fallback, Is.Null);
            if (seed == 0)
            {
                // Standard errors at 2,000 rows: median ≈ 1.25·σ/√n ≈ 0.025 in log, σ from a quartile ≈ 4%.
                Assert.That(Math.Log(fit.MedianDistance), Is.EqualTo(mu).Within(0.08));
                Assert.That(fit.Spread, Is.EqualTo(sigma).Within(0.1));
                Assert.That(fit.Z, Is.EqualTo(UpperQuantileZ(LookAlikeFloor.Risk / rows)).Within(0.08));
            }

            reached += distances.Min() <= 1 - fit.Threshold ? 1 : 0;
        }

        // Expected ≈ 5% (+ the fit's own noise); a threshold at the expected maximum alone would be reached ~63% of the time.
        TestContext.Out.WriteLine($"closest pair reached the threshold in {reached} of {trials} stores");
        Assert.That(reached, Is.InRange(1, trials * 15 / 100));
    }

    [Test]
    public void A_concentrated_distribution_is_capped_at_a_tenth_of_the_median()
    {
        var rng = new Random(4);
        var distances = Enumerable.Range(0, 1_000).Select(_ => Math.Exp(-2 + (0.15 * Gaussian(rng)))).ToArray();
        var fit = LookAlikeFloor.Fit(distances);
        var median = distances.Order().ToArray()[499..501].Average();
        Assert.That(fit.Capped);
        Assert.That(1 - fit.Threshold, Is.EqualTo(0.1 * median).Within(0.002 * median));
        Assert.That(fit.Describe(), Does.Contain("the cap"));
    }

    [Test]
    public void Duplicates_in_the_store_only_raise_the_threshold()
    {
        var rng = new Random(3);
        var distinct = Enumerable.Range(0, 2_000).Select(_ => Math.Exp(-3 + (0.8 * Gaussian(rng)))).ToList();
        var clean = LookAlikeFloor.Fit(distinct).Threshold;
        foreach (var share in new[] { 0.05, 0.2, 0.4 })
        {
            // Rows with a duplicate: distances of copies and re-encodings, 0 to 1e-4.
            var withCopies = distinct.Concat(Enumerable.Range(0, (int)(share * distinct.Count / (1 - share))).Select(_ => rng.NextDouble() * 1e-4)).ToArray();
            Assert.That(LookAlikeFloor.Fit(withCopies).Threshold, Is.GreaterThan(clean), $"{share:P0} of rows with a duplicate");
        }
    }

    [Test]
    public void Too_few_rows_or_mostly_identical_rows_fall_back_to_exact_copies_and_say_why()
    {
        var few = LookAlikeFloor.Fit(Enumerable.Range(1, LookAlikeFloor.MinRows - 1).Select(i => i / 100.0).ToArray());
        Assert.That((few.Threshold, few.Fallback), Is.EqualTo((LookAlikeFloor.ExactCopies, few.Fallback)));
        Assert.That(few.Describe(), Does.StartWith("exact copies only:").And.Contain("too few"));

        var identical = LookAlikeFloor.Fit(Enumerable.Repeat(0.0, 80).Concat(Enumerable.Range(1, 20).Select(i => i / 100.0)).ToArray());
        Assert.That(identical.Threshold, Is.EqualTo(LookAlikeFloor.ExactCopies));
        Assert.That(identical.Fallback, Does.Contain("identical"));
    }
}
