namespace MoCo.Evaluation.Selection;

/// <summary>
/// A seeded uniform draw without replacement from the items not yet labelled: Fisher–Yates from the front over the
/// unlabelled items in source order, so a smaller budget of the same seed is a prefix of a larger one.
/// </summary>
internal static class RandomSelection
{
    /// <summary>The picks in draw order.</summary>
    public static int[] Select(SelectionPool pool, int budget, ulong seed)
    {
        var order = new int[pool.Available];
        var n = 0;
        for (var i = 0; i < pool.IsLabelled.Length; i++)
        {
            if (!pool.IsLabelled[i]) order[n++] = i;
        }

        var random = new Random(SeedMix.ToInt32(seed, 0x52414E44UL));
        for (var i = 0; i < budget; i++)
        {
            var j = i + random.Next(order.Length - i);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order[..budget];
    }
}
