namespace MoCo.Torch.Tests;

/// <summary>
/// Compares autograd's gradient with central finite differences in float64:
/// ∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h, error O(h²) for smooth f.
/// </summary>
internal static class GradCheck
{
    /// <summary>Checks d f(inputs) / d inputs[k] for every input that requires a gradient.</summary>
    internal static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, double h = 1e-6, double tolerance = 1e-6)
    {
        using var scope = torch.NewDisposeScope();
        foreach (Tensor x in inputs) x.requires_grad = true;
        Tensor y = f(inputs);
        Assert.That(y.numel(), Is.EqualTo(1), "the checked function must return a scalar");
        y.backward();
        for (int k = 0; k < inputs.Length; k++)
        {
            Tensor x = inputs[k];
            double[] analytic = x.grad!.ToArray<double>();
            double[] numeric = new double[analytic.Length];
            using (torch.no_grad())
            {
                Span<double> values = x.AsSpan<double>();
                for (int i = 0; i < values.Length; i++)
                {
                    double saved = values[i];
                    values[i] = saved + h;
                    double plus = f(inputs).item<double>();
                    values[i] = saved - h;
                    double minus = f(inputs).item<double>();
                    values[i] = saved;
                    numeric[i] = (plus - minus) / (2 * h);
                }
            }
            for (int i = 0; i < analytic.Length; i++)
            {
                double scale = Math.Max(1, Math.Abs(numeric[i]));
                Assert.That(Math.Abs(analytic[i] - numeric[i]) / scale, Is.LessThan(tolerance),
                    $"input {k}, element {i}: autograd {analytic[i]}, finite difference {numeric[i]}");
            }
        }
    }

    /// <summary>A float64 tensor of seeded normal values.</summary>
    internal static Tensor Randn(params long[] shape) => torch.randn(shape, ScalarType.Float64);

    /// <summary>Σ w ⊙ y with fixed random weights, so every output element's gradient is exercised.</summary>
    internal static Tensor WeightedSum(Tensor y, int seed)
    {
        var rng = new Random(seed);
        var w = new double[y.numel()];
        for (int i = 0; i < w.Length; i++) w[i] = rng.NextDouble() * 2 - 1;
        using Tensor weights = torch.tensor(w, y.shape);
        using Tensor product = y * weights;
        return product.sum();
    }
}
