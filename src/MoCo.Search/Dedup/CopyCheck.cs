using System.Globalization;
using System.Text;

namespace MoCo.Search.Dedup;

/// <summary>
/// What a threshold catches of <see cref="PlantedCopies"/>: per kind, how many copies reach it and the copies' median
/// and lowest centred cosine. Reported, not used to move the threshold: measured on the demo encoder, 90% crops and
/// 0.5× copies of 28 px images sit among the store's distinct look-alikes, so a threshold low enough to catch them
/// would group distinct images (docs/search.md).
/// </summary>
internal static class CopyCheck
{
    /// <summary>Copies of <paramref name="kind"/> among <paramref name="copies"/> reaching <paramref name="threshold"/>, and how many there are.</summary>
    public static (int Reached, int Planted) Count(IReadOnlyList<PlantedCopy> copies, DuplicateKind kind, double threshold)
    {
        ArgumentNullException.ThrowIfNull(copies);
        var ofKind = copies.Where(c => c.Kind == kind).ToArray();
        return (ofKind.Count(c => c.Similarity >= threshold), ofKind.Length);
    }

    /// <summary>One line: the planted copies <paramref name="threshold"/> groups, by kind (or why none were planted).</summary>
    public static string Describe(IReadOnlyList<PlantedCopy> copies, double threshold, string? why)
    {
        ArgumentNullException.ThrowIfNull(copies);
        if (copies.Count == 0)
        {
            return $"planted copies: none made ({why ?? "no sample"}), so what the threshold catches is not checked.";
        }

        var line = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"planted copies of {copies.Select(c => c.Row).Distinct().Count()} sampled store images that reach it:"));
        foreach (var kind in PlantedCopies.Kinds)
        {
            var (reached, planted) = Count(copies, kind, threshold);
            if (planted == 0)
            {
                continue;
            }

            var sorted = copies.Where(c => c.Kind == kind).Select(c => c.Similarity).Order().ToArray();
            line.Append(CultureInfo.InvariantCulture,
                $" {Name(kind)} {reached}/{planted} (median {LookAlikeFloor.Quantile(sorted, 0.5):F4}, min {sorted[0]:F4}),");
        }

        line.Length--;
        return line.Append('.').ToString();
    }

    /// <summary>The kind as docs and messages name it.</summary>
    public static string Name(DuplicateKind kind) => kind switch
    {
        DuplicateKind.Copy => "exact copy",
        DuplicateKind.Half => "0.5x resize",
        DuplicateKind.Jpeg50 => "JPEG q50",
        DuplicateKind.Crop90 => "90% crop",
        _ => kind.ToString(),
    };
}
