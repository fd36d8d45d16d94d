namespace MoCo.Evaluation;

/// <summary>
/// Feature vectors held in one float array, row-major: <see cref="Rows"/> samples × <see cref="Columns"/> features.
/// What every evaluation in the protocol takes (the kNN vote, the linear probe's standardisation and objective).
/// </summary>
public sealed class FeatureMatrix
{
    /// <summary>Wraps <paramref name="values"/> (not copied) as <paramref name="rows"/> × <paramref name="columns"/>.</summary>
    /// <exception cref="ArgumentException">The array does not hold rows × columns values.</exception>
    public FeatureMatrix(float[] values, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if ((long)rows * columns != values.Length)
        {
            throw new ArgumentException($"{values.Length} values cannot be {rows} rows of {columns}.", nameof(values));
        }

        Values = values;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>The values, row-major.</summary>
    public float[] Values { get; }

    /// <summary>Number of samples.</summary>
    public int Rows { get; }

    /// <summary>Number of features per sample.</summary>
    public int Columns { get; }

    /// <summary>Row <paramref name="index"/>.</summary>
    public Span<float> Row(int index) => Values.AsSpan(index * Columns, Columns);

    /// <summary>A copy with every row divided by max(‖row‖₂, 1e-12), as PyTorch's <c>F.normalize(x, dim=1)</c>: the
    /// rows the kNN vote compares by their dot products (cosine similarity).</summary>
    public FeatureMatrix L2Normalised()
    {
        var result = new FeatureMatrix((float[])Values.Clone(), Rows, Columns);
        for (var i = 0; i < Rows; i++)
        {
            var row = result.Row(i);
            var norm = MathF.Max(VectorMath.Norm(row), 1e-12f);
            for (var d = 0; d < row.Length; d++)
            {
                row[d] /= norm;
            }
        }

        return result;
    }

    /// <summary>The rows at <paramref name="indices"/>, in that order (a copy).</summary>
    public FeatureMatrix Select(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var result = new FeatureMatrix(new float[indices.Count * Columns], indices.Count, Columns);
        for (var i = 0; i < indices.Count; i++)
        {
            Row(indices[i]).CopyTo(result.Row(i));
        }

        return result;
    }
}
