namespace MoCo.MLNet.Probing;

/// <summary>Rows of features held in one array (row-major, <see cref="Rows"/> × <see cref="Columns"/>).</summary>
internal sealed class FeatureMatrix
{
    public FeatureMatrix(float[] values, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(values);
        if ((long)rows * columns != values.Length)
        {
            throw new ArgumentException($"{values.Length} values cannot be {rows} rows of {columns}.", nameof(values));
        }

        Values = values;
        Rows = rows;
        Columns = columns;
    }

    public float[] Values { get; }

    public int Rows { get; }

    public int Columns { get; }

    public Span<float> Row(int index) => Values.AsSpan(index * Columns, Columns);

    /// <summary>A copy with every row divided by max(‖row‖₂, 1e-12), as PyTorch's <c>F.normalize(x, dim=1)</c>.</summary>
    public FeatureMatrix L2Normalised()
    {
        var result = new FeatureMatrix((float[])Values.Clone(), Rows, Columns);
        for (var i = 0; i < Rows; i++)
        {
            var row = result.Row(i);
            var norm = Math.Max(System.Numerics.Tensors.TensorPrimitives.Norm(row), 1e-12f);
            System.Numerics.Tensors.TensorPrimitives.Divide(row, norm, row);
        }

        return result;
    }

    /// <summary>The rows at <paramref name="indices"/>, in that order.</summary>
    public FeatureMatrix Select(IReadOnlyList<int> indices)
    {
        var result = new FeatureMatrix(new float[indices.Count * Columns], indices.Count, Columns);
        for (var i = 0; i < indices.Count; i++)
        {
            Row(indices[i]).CopyTo(result.Row(i));
        }

        return result;
    }
}
