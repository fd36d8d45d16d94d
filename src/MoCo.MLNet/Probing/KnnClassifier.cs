using System.Numerics.Tensors;

namespace MoCo.MLNet.Probing;

/// <summary>
/// The kNN classifier of MoCo's CIFAR demo monitor (after Wu et al. 2018), managed: cosine similarity of a query to
/// every memory-bank feature, the k most similar vote for their class with weight exp(similarity / t), and the class
/// with the largest sum wins (ties: the lowest class). Rows must be L2-normalised (<see cref="FeatureMatrix.L2Normalised"/>).
/// Same rule as MoCo.Training's libtorch <c>Knn.Predict</c>, without libtorch.
/// </summary>
internal static class KnnClassifier
{
    /// <summary>Neighbours that vote; MoCo's monitor uses 200.</summary>
    public const int DefaultK = 200;

    /// <summary>Temperature of the vote weights; MoCo's monitor uses 0.1.</summary>
    public const float DefaultTemperature = 0.1f;

    private const int QueryBlock = 16;

    /// <summary>The predicted class of every query row.</summary>
    /// <param name="queries">B × D, L2-normalised.</param>
    /// <param name="bank">M × D, L2-normalised.</param>
    /// <param name="bankLabels">M labels in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="k">Neighbours (capped at M); default 200.</param>
    /// <param name="temperature">Vote temperature t; default 0.1.</param>
    /// <param name="votes">Optional B × classes output of the summed vote weights.</param>
    public static int[] Predict(FeatureMatrix queries, FeatureMatrix bank, IReadOnlyList<int> bankLabels, int classes,
        int k = DefaultK, float temperature = DefaultTemperature, float[]? votes = null)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(bankLabels);
        if (queries.Columns != bank.Columns)
        {
            throw new ArgumentException($"kNN: queries have {queries.Columns} features, the bank {bank.Columns}.");
        }

        if (bankLabels.Count != bank.Rows || bank.Rows == 0)
        {
            throw new ArgumentException($"kNN: {bankLabels.Count} labels for a bank of {bank.Rows} rows (needs at least one).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (!(temperature > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be positive.");
        }

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

        var kk = Math.Min(k, bank.Rows);
        var predictions = new int[queries.Rows];
        var blocks = (queries.Rows + QueryBlock - 1) / QueryBlock;
        Parallel.For(0, blocks, () => new Workspace(bank.Rows, kk, classes), (block, _, ws) =>
        {
            var start = block * QueryBlock;
            var count = Math.Min(QueryBlock, queries.Rows - start);
            Similarities(queries, start, count, bank, ws.Similarities);
            for (var q = 0; q < count; q++)
            {
                var row = start + q;
                var scores = votes is null ? ws.Votes : votes.AsSpan(row * classes, classes);
                Vote(ws.Similarities.AsSpan(q * bank.Rows, bank.Rows), bankLabels, kk, temperature, ws.Heap, scores);
                predictions[row] = TensorPrimitives.IndexOfMax(scores);
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
            var b = bank.Row(j);
            for (var q = 0; q < count; q++)
            {
                sims[(q * bank.Rows) + j] = TensorPrimitives.Dot(queries.Row(start + q), b);
            }
        }
    }

    /// <summary>The k largest similarities (a min-heap), each adding exp(s / t) to its label's score.</summary>
    private static void Vote(ReadOnlySpan<float> sims, IReadOnlyList<int> labels, int k, float t, (float Sim, int Index)[] heap, Span<float> scores)
    {
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

        scores.Clear();
        for (var i = 0; i < size; i++)
        {
            scores[labels[heap[i].Index]] += MathF.Exp(heap[i].Sim / t);
        }
    }

    private static void SiftUp((float Sim, int Index)[] heap, int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (heap[parent].Sim <= heap[i].Sim)
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
            var smallest = i;
            var left = (2 * i) + 1;
            var right = left + 1;
            if (left < size && heap[left].Sim < heap[smallest].Sim)
            {
                smallest = left;
            }

            if (right < size && heap[right].Sim < heap[smallest].Sim)
            {
                smallest = right;
            }

            if (smallest == i)
            {
                return;
            }

            (heap[smallest], heap[i]) = (heap[i], heap[smallest]);
            i = smallest;
        }
    }

    private sealed class Workspace(int bankRows, int k, int classes)
    {
        public float[] Similarities { get; } = new float[QueryBlock * bankRows];

        public (float Sim, int Index)[] Heap { get; } = new (float, int)[k];

        public float[] Votes { get; } = new float[classes];
    }
}
