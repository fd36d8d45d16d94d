using System.Globalization;

namespace MoCo.Extraction.Sources;

/// <summary>
/// One part of a job split over <see cref="Count"/> machines (<c>--shard i/n</c>): the items whose index k in the
/// source has k mod n = i. Deterministic and balanced to within one item, so a Kubernetes indexed Job or a Slurm
/// array can give each worker its index and its own store.
/// </summary>
internal readonly record struct JobShard(int Index, int Count)
{
    /// <summary>The whole source.</summary>
    public static JobShard All { get; } = new(0, 1);

    /// <summary>Parses <c>i/n</c> with 0 ≤ i &lt; n.</summary>
    public static JobShard Parse(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        var parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && n >= 1 && i < n)
        {
            return new JobShard(i, n);
        }

        throw new ArgumentException($"--shard '{text}' is not i/n with 0 <= i < n (e.g. 0/4 for the first of four workers).");
    }

    /// <summary>Whether source item <paramref name="index"/> belongs to this shard.</summary>
    public bool Contains(int index) => index % Count == Index;

    /// <summary>The items of this shard among <paramref name="sourceCount"/>, in source order.</summary>
    public IEnumerable<int> Items(int sourceCount)
    {
        for (var k = Index; k < sourceCount; k += Count)
        {
            yield return k;
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
