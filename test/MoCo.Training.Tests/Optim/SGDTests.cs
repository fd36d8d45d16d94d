using MoCo.Training.Optim;
using MoCo.Training.Tests.Reference;
using static TorchSharp.torch;

namespace MoCo.Training.Tests.Optim;

public class SGDTests
{
    // Five steps on loss = Σ c ⊙ (p − t)² + Σ p³/10, the same in torch.optim.SGD; float64, agreement to 1e-12.
    [TestCase(0.0, 0.0, 0.0, false)]
    [TestCase(0.9, 1e-4, 0.0, false)]
    [TestCase(0.9, 5e-4, 0.0, true)]
    [TestCase(0.5, 0.0, 0.3, false)]
    public void Steps_equal_torch_optim_sgd(double momentum, double weightDecay, double dampening, bool nesterov)
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        var p0 = randn([3, 4], ScalarType.Float64);
        var c = rand([3, 4], ScalarType.Float64);
        var target = randn([3, 4], ScalarType.Float64);
        var p = new Parameter(p0.clone());
        using var sgd = new SGD([p], 0.1, momentum, dampening, weightDecay, nesterov);
        for (int step = 0; step < 5; step++)
        {
            sgd.zero_grad();
            using (NewDisposeScope())
            {
                ((c * (p - target).square()).sum() + p.pow(3).sum() / 10).backward();
            }
            sgd.step();
        }
        string args = FormattableString.Invariant($"lr=0.1, momentum={momentum}, dampening={dampening}, weight_decay={weightDecay}, nesterov={(nesterov ? "True" : "False")}");
        using var r = PyTorch.Run($$"""
            p = inp["p0"].clone().requires_grad_()
            opt = torch.optim.SGD([p], {{args}})
            for _ in range(5):
                opt.zero_grad()
                ((inp["c"] * (p - inp["t"]) ** 2).sum() + (p ** 3).sum() / 10).backward()
                opt.step()
            out["p"] = p.detach()
            out["buf"] = opt.state[p]["momentum_buffer"] if momentum_used else torch.zeros(1)
            """.Replace("momentum_used", momentum > 0 ? "True" : "False", StringComparison.Ordinal),
            new Dictionary<string, Tensor> { ["p0"] = p0, ["c"] = c, ["t"] = target });
        Assert.That(p.allclose(r.Tensors["p"], 0, 1e-12), Is.True, "parameters after 5 steps");
        if (momentum > 0) Assert.That(sgd.state_dict()["state.0.momentum_buffer"].allclose(r.Tensors["buf"], 0, 1e-12), Is.True);
        p.Dispose();
    }

    [Test]
    public void Momentum_state_round_trips()
    {
        using var scope = NewDisposeScope();
        var p = new Parameter(ones([2]));
        using var sgd = new SGD([p], 0.1, 0.9, 0, 0, false);
        (p * p).sum().backward();
        sgd.step();
        var saved = sgd.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var q = new Parameter(ones([2]));
        using var other = new SGD([q], 0.1, 0.9, 0, 0, false);
        other.load_state_dict(saved);
        Assert.That(other.state_dict()["state.0.momentum_buffer"].ToArray<float>(), Is.EqualTo(new float[] { 2, 2 }));
        Assert.Throws<ArgumentException>(() => other.load_state_dict(new Dictionary<string, Tensor> { ["state.3.momentum_buffer"] = ones([2]) }));
        p.Dispose();
        q.Dispose();
    }

    [Test]
    public void Invalid_hyperparameters_are_refused()
    {
        using var p = new Parameter(ones([1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SGD([p], -1, 0, 0, 0, false));
        Assert.Throws<ArgumentException>(() => new SGD([p], 0.1, 0, 0, 0, true));
    }
}
