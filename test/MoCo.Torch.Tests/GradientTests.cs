using F = MoCo.Torch.torch.nn.functional;

namespace MoCo.Torch.Tests;

// Autograd gradients of each operator family against central finite differences (float64, tolerance 1e-6 relative).
public class GradientTests
{
    [SetUp]
    public void Seed() => torch.manual_seed(42);

    [Test]
    public void Elementwise_arithmetic()
    {
        using var scope = torch.NewDisposeScope();
        var a = GradCheck.Randn(3, 4);
        var b = torch.rand([3, 4], ScalarType.Float64) + 0.5;
        GradCheck.Check(x => GradCheck.WeightedSum((x[0] * x[1] + x[0] / x[1] - x[0].exp() * 0.3 + x[1].log() + x[0].pow(3) - x[1].sqrt()).tanh(), 1), [a, b]);
    }

    [Test]
    public void Reductions_and_broadcasting()
    {
        using var scope = torch.NewDisposeScope();
        var a = GradCheck.Randn(4, 5);
        var b = GradCheck.Randn(1, 5);
        GradCheck.Check(x => ((x[0] + x[1]).sum(1).square().mean() + x[0].max() + x[0].norm() + x[0].logsumexp([0]).sum()), [a, b]);
    }

    [Test]
    public void Matrix_products()
    {
        using var scope = torch.NewDisposeScope();
        var a = GradCheck.Randn(3, 4);
        var b = GradCheck.Randn(4, 2);
        var c = GradCheck.Randn(2, 3, 4);
        GradCheck.Check(x => GradCheck.WeightedSum(x[0].matmul(x[1]), 2) + GradCheck.WeightedSum(x[2].matmul(x[1]), 3), [a, b, c]);
    }

    [Test]
    public void Shape_and_indexing()
    {
        using var scope = torch.NewDisposeScope();
        var a = GradCheck.Randn(2, 3, 4);
        var idx = torch.tensor(new long[] { 2, 0, 0 });
        GradCheck.Check(x =>
        {
            var y = x[0].permute(2, 0, 1).reshape(4, 6).index_select(0, idx);
            var z = torch.cat([y, x[0].flatten(1).narrow(1, 2, 6)], 0);
            var g = x[0].flatten(1).gather(1, torch.tensor(new long[] { 0, 5, 11, 3 }, 2, 2));
            return GradCheck.WeightedSum(z, 4) + GradCheck.WeightedSum(g, 5);
        }, [a]);
    }

    [Test]
    public void Conv2d_with_stride_padding_and_bias()
    {
        using var scope = torch.NewDisposeScope();
        var input = GradCheck.Randn(2, 3, 6, 5);
        var weight = GradCheck.Randn(4, 3, 3, 3);
        var bias = GradCheck.Randn(4);
        GradCheck.Check(x => GradCheck.WeightedSum(F.conv2d(x[0], x[1], x[2], stride: [2, 1], padding: [1, 1]), 6), [input, weight, bias]);
    }

    [Test]
    public void Batch_norm_in_training_mode()
    {
        using var scope = torch.NewDisposeScope();
        var input = GradCheck.Randn(4, 3, 2, 2);
        var gamma = GradCheck.Randn(3);
        var beta = GradCheck.Randn(3);
        GradCheck.Check(x => GradCheck.WeightedSum(F.batch_norm(x[0], null, null, x[1], x[2], training: true), 7), [input, gamma, beta]);
    }

    [Test]
    public void Relu_and_pooling()
    {
        using var scope = torch.NewDisposeScope();
        // Values kept away from relu's kink and from ties in max pooling.
        var input = (torch.randperm(2 * 3 * 6 * 6, ScalarType.Float64).reshape(2, 3, 6, 6) - 100) / 10;
        GradCheck.Check(x => GradCheck.WeightedSum(F.max_pool2d(F.relu(x[0]), [3, 3], [2, 2], [1, 1]), 8)
                             + GradCheck.WeightedSum(F.adaptive_avg_pool2d(x[0], [1, 1]), 9)
                             + GradCheck.WeightedSum(F.avg_pool2d(x[0], [2, 2]), 10), [input], h: 1e-5);
    }

    [Test]
    public void Linear_normalize_and_softmax()
    {
        using var scope = torch.NewDisposeScope();
        var input = GradCheck.Randn(5, 4);
        var weight = GradCheck.Randn(3, 4);
        var bias = GradCheck.Randn(3);
        GradCheck.Check(x =>
        {
            var y = F.normalize(F.linear(x[0], x[1], x[2]), dim: 1);
            return GradCheck.WeightedSum(F.log_softmax(y * 5, 1), 11) + GradCheck.WeightedSum(F.softmax(y, 0), 12);
        }, [input, weight, bias]);
    }

    [Test]
    public void Cross_entropy_against_target_zero_as_in_InfoNCE()
    {
        using var scope = torch.NewDisposeScope();
        var logits = GradCheck.Randn(6, 9);
        var target = torch.zeros([6], ScalarType.Int64);
        GradCheck.Check(x => F.cross_entropy(x[0] / 0.2, target), [logits]);
    }

    [Test]
    public void Grid_sample_and_interpolate()
    {
        using var scope = torch.NewDisposeScope();
        var input = GradCheck.Randn(2, 2, 5, 4);
        var theta = torch.tensor(new double[] { 0.8, 0.1, 0.05, -0.1, 0.7, -0.1, 0.6, 0, 0.2, 0, -0.9, 0.1 }, 2, 2, 3);
        GradCheck.Check(x =>
        {
            var grid = F.affine_grid(x[1], [2, 2, 3, 3]);
            return GradCheck.WeightedSum(F.grid_sample(x[0], grid, padding_mode: "border"), 13)
                   + GradCheck.WeightedSum(F.interpolate(x[0], [7, 3]), 14);
        }, [input, theta], h: 1e-6, tolerance: 1e-5);
    }
}
