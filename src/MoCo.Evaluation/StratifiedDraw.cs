namespace MoCo.Evaluation;

/// <summary>
/// Seeded, stratified label subsets: the one definition of "N labels per class" and "a fraction F of the labels" that
/// the label-efficiency curves of <c>moco probe</c> and <c>moco finetune</c> use (SimCLR's 1% / 10% protocol draws
/// per class in the same way).
/// <para>Within a class the items come in one seeded random order, a pure function of (seed, draw, class), so a
/// smaller budget of the same draw is a subset of a larger one (nested curves), and the draw for one class does not
/// depend on the other classes. The returned indices are in ascending (source) order.</para>
/// </summary>
public static class StratifiedDraw
{
    /// <summary>Indices of <paramref name="perClass"/> items of every class present in <paramref name="labels"/>.</summary>
    /// <param name="labels">The label of every item of the pool (non-negative class indices).</param>
    /// <param name="perClass">Items to draw per class (positive).</param>
    /// <param name="seed">The seed; the same seed and draw give the same subset.</param>
    /// <param name="draw">Which of several independent draws (0, 1, 2, …).</param>
    /// <exception cref="ArgumentException">A class has fewer items than <paramref name="perClass"/> (the message names it
    /// and its count), or a label is negative.</exception>
    public static int[] PerClass(IReadOnlyList<int> labels, int perClass, ulong seed, int draw = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perClass, 1);
        var byClass = GroupByClass(labels);
        var short_ = byClass.Where(kv => kv.Value.Count < perClass).Select(kv => $"class {kv.Key} has {kv.Value.Count}").ToList();
        if (short_.Count > 0)
            throw new ArgumentException($"{perClass} labelled items per class were asked for, but {string.Join(", ", short_)}");
        return Take(byClass, _ => perClass, seed, draw);
    }

    /// <summary>Indices of round(<paramref name="fraction"/> · n_c) items of every class c (at least one per class).</summary>
    /// <param name="labels">The label of every item of the pool (non-negative class indices).</param>
    /// <param name="fraction">In (0, 1].</param>
    /// <param name="seed">The seed; the same seed and draw give the same subset.</param>
    /// <param name="draw">Which of several independent draws (0, 1, 2, …).</param>
    public static int[] Fraction(IReadOnlyList<int> labels, double fraction, ulong seed, int draw = 0)
    {
        if (!(fraction > 0 && fraction <= 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "a label fraction is in (0, 1]");
        var byClass = GroupByClass(labels);
        return Take(byClass, n => Math.Max(1, (int)Math.Round(fraction * n, MidpointRounding.AwayFromZero)), seed, draw);
    }

    private static SortedDictionary<int, List<int>> GroupByClass(IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var byClass = new SortedDictionary<int, List<int>>();
        for (int i = 0; i < labels.Count; i++)
        {
            int c = labels[i];
            if (c < 0) throw new ArgumentException($"item {i} has label {c}: a stratified draw needs a class for every item");
            if (!byClass.TryGetValue(c, out var list)) byClass[c] = list = [];
            list.Add(i);
        }
        if (byClass.Count == 0) throw new ArgumentException("a stratified draw needs at least one labelled item");
        return byClass;
    }

    private static int[] Take(SortedDictionary<int, List<int>> byClass, Func<int, int> count, ulong seed, int draw)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(draw);
        var chosen = new List<int>();
        foreach (var (c, items) in byClass)
        {
            int n = Math.Min(count(items.Count), items.Count);
            int[] order = [.. items];
            var random = new Random(Mix(seed, (ulong)draw, (ulong)c));
            // Fisher–Yates from the front: the first n places are a uniform draw, and a prefix of the order for every n.
            for (int i = 0; i < n; i++)
            {
                int j = i + random.Next(order.Length - i);
                (order[i], order[j]) = (order[j], order[i]);
            }
            chosen.AddRange(order.Take(n));
        }
        chosen.Sort();
        return [.. chosen];
    }

    /// <summary>A 31-bit seed for <see cref="Random"/> from (seed, draw, class): SplitMix64's finaliser over their combination.</summary>
    private static int Mix(ulong seed, ulong draw, ulong cls)
    {
        ulong z = seed ^ (draw * 0x9E3779B97F4A7C15UL) ^ (cls * 0xD1B54A32D192ED03UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }
}
