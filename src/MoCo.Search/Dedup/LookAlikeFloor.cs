namespace MoCo.Search.Dedup;

/// <summary>
/// Dedup's default threshold: just above the closest two distinct images of the store are expected to be.
/// <para>
/// Every image has a nearest other image; on a store without duplicates these are look-alikes (two T-shirts), and
/// their centred cosine distances d = 1 − similarity spread over orders of magnitude. log d is close to normal
/// (measured on the demo encoder's Fashion-MNIST store: a normal fitted to the median and upper quartile predicts the
/// 1st percentile within 5%, docs/search.md), and the threshold is 1 − exp(μ − z·σ) with z chosen so that the
/// closest of N look-alike pairs reaches it with probability <see cref="Risk"/> only (when in doubt, do not group).
/// Measured, real look-alike tails are lighter than log-normal, so the margin is larger still. Where nearest-neighbour
/// distances are concentrated (small σ; synthetic clusters in a few dozen dimensions, whose log distances have a heavier
/// left tail than a normal's), the threshold's distance is also capped at <see cref="MaxFractionOfMedian"/> of the
/// median: the closest distinct pair measured on the real stores sat at 1/11 of it (docs/search.md).
/// </para>
/// <para>
/// μ is the median of log d and σ comes from the median and the upper quartile only, the side duplicates do not
/// reach: duplicates in the store add rows with tiny d, which move both statistics towards a higher threshold (fewer
/// pairs grouped), never a lower one. Too few rows, or a store that is mostly identical rows, give the fail-safe
/// <see cref="ExactCopies"/> threshold.
/// </para>
/// </summary>
internal static class LookAlikeFloor
{
    /// <summary>The threshold when the store cannot be calibrated: only (numerically) identical features are grouped.</summary>
    public const double ExactCopies = 0.99999;

    /// <summary>Fewest rows the fit is made on.</summary>
    public const int MinRows = 50;

    /// <summary>The chance, under the fitted log-normal, that the store's closest distinct pair reaches the threshold.</summary>
    public const double Risk = 0.05;

    /// <summary>The threshold's distance is at most this fraction of the median nearest-neighbour distance.</summary>
    public const double MaxFractionOfMedian = 0.1;

    /// <summary>Φ⁻¹(0.75): the upper quartile of a standard normal.</summary>
    private const double UpperQuartileZ = 0.6744897501960817;

    /// <summary>The threshold from every row's centred cosine distance to its nearest other row.</summary>
    public static Calibration Fit(IReadOnlyCollection<double> nearestDistances)
    {
        ArgumentNullException.ThrowIfNull(nearestDistances);
        var logs = nearestDistances.Where(d => !double.IsNaN(d)).Select(d => Math.Log(Math.Max(d, 0))).Order().ToArray();
        if (logs.Length < MinRows)
        {
            return Calibration.Failed(logs.Length, $"{logs.Length} rows with a neighbour are too few to calibrate on (fewest {MinRows})");
        }

        double mu = Quantile(logs, 0.5), upper = Quantile(logs, 0.75);
        if (!double.IsFinite(mu) || !double.IsFinite(upper) || upper <= mu)
        {
            return Calibration.Failed(logs.Length, "most rows are identical to another row, so the distances between distinct images cannot be read off the store");
        }

        var sigma = (upper - mu) / UpperQuartileZ;
        var z = ExpectedMaximumZ(logs.Length / Risk);
        var fraction = Math.Exp(-z * sigma);
        return new Calibration(1 - (Math.Exp(mu) * Math.Min(fraction, MaxFractionOfMedian)), logs.Length, Math.Exp(mu), sigma, z, null)
        {
            Capped = fraction > MaxFractionOfMedian,
        };
    }

    /// <summary>
    /// b(n) = √(2 ln n − ln ln n − ln 4π), ≈ Φ⁻¹(1 − 1/n) (within 0.08 for n ≥ 50): the location of the Gumbel limit of
    /// the maximum of standard normal draws (Cramér 1946). The largest of N draws stays below b(N/α) with probability
    /// ≈ exp(−α) ≈ 1 − α.
    /// </summary>
    public static double ExpectedMaximumZ(double n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, MinRows);
        var log = Math.Log(n);
        return Math.Sqrt((2 * log) - Math.Log(log) - Math.Log(4 * Math.PI));
    }

    /// <summary>The q-quantile of sorted values, linear between order statistics (NumPy's default).</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        var at = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(at), hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] == sorted[hi] ? sorted[lo] : sorted[lo] + ((at - lo) * (sorted[hi] - sorted[lo]));
    }
}

/// <summary>What <see cref="LookAlikeFloor.Fit"/> found.</summary>
/// <param name="Threshold">The centred cosine a pair must reach.</param>
/// <param name="Rows">Rows the fit used.</param>
/// <param name="MedianDistance">exp(μ): the median centred cosine distance to the nearest other row.</param>
/// <param name="Spread">σ of log distance.</param>
/// <param name="Z">z<sub>N</sub> for <paramref name="Rows"/>.</param>
/// <param name="Fallback">Why the store could not be calibrated (then <paramref name="Threshold"/> is <see cref="LookAlikeFloor.ExactCopies"/>), or null.</param>
internal sealed record Calibration(double Threshold, int Rows, double MedianDistance, double Spread, double Z, string? Fallback)
{
    /// <summary>Whether the distance was capped at <see cref="LookAlikeFloor.MaxFractionOfMedian"/> of the median (a concentrated distribution).</summary>
    public bool Capped { get; init; }

    /// <summary>The fail-safe result, with the reason.</summary>
    public static Calibration Failed(int rows, string why) => new(LookAlikeFloor.ExactCopies, rows, double.NaN, double.NaN, double.NaN, why);

    /// <summary>One line for the user: the threshold and why.</summary>
    public string Describe() => Fallback is null
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"calibrated on {Rows:N0} rows' nearest-neighbour distances, median {MedianDistance:F4}, sigma(log) {Spread:F3}: ") +
            (Capped
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{LookAlikeFloor.MaxFractionOfMedian} x the median (the cap; exp(-z*sigma) with z {Z:F2} is larger)")
                : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"exp(-z*sigma) x the median, z {Z:F2}: the closest distinct pair reaches it with {LookAlikeFloor.Risk:P0} risk"))
        : $"exact copies only: {Fallback}";
}
