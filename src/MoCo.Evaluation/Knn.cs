namespace MoCo.Evaluation;

/// <summary>
/// The kNN classifier of MoCo's CIFAR demo monitor (after Wu et al. 2018), the one definition every command uses:
/// <list type="number">
/// <item>features are L2-normalised (<see cref="FeatureMatrix.L2Normalised"/>), so a dot product is the cosine similarity;</item>
/// <item>a query's neighbours are the k bank rows of largest similarity (k capped at the bank's size); equal
/// similarities rank by the lower bank row first;</item>
/// <item>each neighbour adds exp(similarity / t) to its class's score, in rank order;</item>
/// <item>the class with the largest score wins; equal scores go to the lowest class.</item>
/// </list>
/// MoCo.Training's libtorch <c>Knn.Predict</c> (the GPU monitor) is an adapter tested equal to this one.
/// </summary>
public static class Knn
{
    private const int QueryBlock = 16;

    /// <summary>The predicted class of every query: raw features, L2-normalised here first.</summary>
    /// <param name="queries">B × D features.</param>
    /// <param name="bank">M × D features of the labelled memory bank.</param>
    /// <param name="bankLabels">M labels in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="options">k and t; default <see cref="KnnOptions"/>' defaults.</param>
    public static int[] Classify(FeatureMatrix queries, FeatureMatrix bank, IReadOnlyList<int> bankLabels, int classes, KnnOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(bank);
        return Predict(queries.L2Normalised(), bank.L2Normalised(), bankLabels, classes, options);
    }

    /// <summary>The predicted class of every query row; the rows must already be L2-normalised.</summary>
    /// <param name="queries">B × D, L2-normalised.</param>
    /// <param name="bank">M × D, L2-normalised.</param>
    /// <param name="bankLabels">M labels in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="options">k and t; default <see cref="KnnOptions"/>' defaults.</param>
    /// <param name="votes">Optional B × classes output of the summed vote weights.</param>
    /// <exception cref="ArgumentException">Shapes or labels do not fit, or a setting is out of range.</exception>
    public static int[] Predict(FeatureMatrix queries, FeatureMatrix bank, IReadOnlyList<int> bankLabels, int classes,
        KnnOptions? options = null, float[]? votes = null)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(bankLabels);
        options ??= new KnnOptions();
        options.Validate();
        if (queries.Columns != bank.Columns)
        {
            throw new ArgumentException($"kNN: queries have {queries.Columns} features, the bank {bank.Columns}.");
        }

        if (bankLabels.Count != bank.Rows || bank.Rows == 0)
        {
            throw new ArgumentException($"kNN: {bankLabels.Count} labels for a bank of {bank.Rows} rows (needs at least one).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (votes is not null && votes.Length != queries.Rows * classes)
        {
            throw new ArgumentException($"kNN: the votes buffer holds {votes.Length} values, needs {queries.Rows} x {classes}.", nameof(votes));
        }

        foreach (var label in bankLabels)
        {
            if ((uint)label >= (uint)classes)
            {
                throw new ArgumentException($"kNN: bank label {label} is outside [0, {classes}).", nameof(bankLabels));
            }
        }

        var k = Math.Min(options.K, bank.Rows);
        var t = options.Temperature;
        var predictions = new int[queries.Rows];
        var blocks = (queries.Rows + QueryBlock - 1) / QueryBlock;
        Parallel.For(0, blocks, () => new Workspace(bank.Rows, k, classes), (block, _, ws) =>
        {
            var start = block * QueryBlock;
            var count = Math.Min(QueryBlock, queries.Rows - start);
            Similarities(queries, start, count, bank, ws.Similarities);
            for (var q = 0; q < count; q++)
            {
                var row = start + q;
                var scores = votes is null ? ws.Votes : votes.AsSpan(row * classes, classes);
                var size = Nearest(ws.Similarities.AsSpan(q * bank.Rows, bank.Rows), k, ws.Heap);
                scores.Clear();
                for (var i = 0; i < size; i++)
                {
                    scores[bankLabels[ws.Heap[i].Index]] += MathF.Exp(ws.Heap[i].Sim / t);
                }

                predictions[row] = FirstMax(scores);
            }

            return ws;
        }, _ => { });
        return predictions;
    }

    /// <summary>sims[q·M + j] = ⟨query q, bank row j⟩ for a block of queries (each bank row read once per block).</summary>
    private static void Similarities(FeatureMatrix queries, int start, int count, FeatureMatrix bank, float[] sims)
    {
        for (var j = 0; j < bank.Rows; j++)
        {
            ReadOnlySpan<float> b = bank.Row(j);
            for (var q = 0; q < count; q++)
            {
                sims[(q * bank.Rows) + j] = VectorMath.Dot(queries.Row(start + q), b);
            }
        }
    }

    /// <summary>The k nearest rows into heap[0..k), in rank order: larger similarity first, then the lower row.</summary>
    private static int Nearest(ReadOnlySpan<float> sims, int k, (float Sim, int Index)[] heap)
    {
        // A min-heap under the rank order keeps the k best seen; a later row (higher index) enters only when strictly
        // more similar than the worst kept, since at equal similarity the lower row ranks first.
        var size = 0;
        for (var j = 0; j < sims.Length; j++)
        {
            var s = sims[j];
            if (size < k)
            {
                heap[size] = (s, j);
                SiftUp(heap, size++);
            }
            else if (s > heap[0].Sim)
            {
                heap[0] = (s, j);
                SiftDown(heap, k);
            }
        }

        Array.Sort(heap, 0, size, RankOrder.Instance);
        return size;
    }

    /// <summary>a ranks below b: smaller similarity, or the same similarity and a higher row.</summary>
    private static bool Below((float Sim, int Index) a, (float Sim, int Index) b) => a.Sim < b.Sim || (a.Sim == b.Sim && a.Index > b.Index);

    private static void SiftUp((float Sim, int Index)[] heap, int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (!Below(heap[i], heap[parent]))
            {
                return;
            }

            (heap[parent], heap[i]) = (heap[i], heap[parent]);
            i = parent;
        }
    }

    private static void SiftDown((float Sim, int Index)[] heap, int size)
    {
        var i = 0;
        while (true)
        {
            var lowest = i;
            var left = (2 * i) + 1;
            var right = left + 1;
            if (left < size && Below(heap[left], heap[lowest]))
            {
                lowest = left;
            }

            if (right < size && Below(heap[right], heap[lowest]))
            {
                lowest = right;
            }

            if (lowest == i)
            {
                return;
            }

            (heap[lowest], heap[i]) = (heap[i], heap[lowest]);
            i = lowest;
        }
    }

    private static int FirstMax(ReadOnlySpan<float> scores)
    {
        var best = 0;
        for (var c = 1; c < scores.Length; c++)
        {
            if (scores[c] > scores[best])
            {
                best = c;
            }
        }

        return best;
    }

    /// <summary>Rank order: larger similarity first, then the lower row.</summary>
    private sealed class RankOrder : IComparer<(float Sim, int Index)>
    {
        public static readonly RankOrder Instance = new();

        public int Compare((float Sim, int Index) x, (float Sim, int Index) y) =>
            Below(x, y) ? 1 : Below(y, x) ? -1 : 0;
    }

    private sealed class Workspace(int bankRows, int k, int classes)
    {
        public float[] Similarities { get; } = new float[QueryBlock * bankRows];

        public (float Sim, int Index)[] Heap { get; } = new (float, int)[k];

        public float[] Votes { get; } = new float[classes];
    }
}
