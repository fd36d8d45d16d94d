using MoCo.Torch.Modules;
using MoCo.Torch.Tests.Reference;
using static MoCo.Torch.torch;

namespace MoCo.Torch.Tests.Nn;

public class ModuleTests
{
    private static Sequential SmallNet() => nn.Sequential(
        nn.Conv2d(3, 4, 3, padding: 1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.AdaptiveAvgPool2d(1, 1), nn.Flatten(), nn.Linear(4, 5));

    [Test]
    public void State_dict_names_and_order_equal_pytorchs_for_the_same_network()
    {
        using var net = SmallNet();
        string[] ours = net.StateEntries().Select(e => e.name).ToArray();
        string printed = PyTorch.RunScript("""
            import torch.nn as nn
            net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                                nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 5))
            print("\n".join(net.state_dict().keys()))
            """);
        Assert.That(ours, Is.EqualTo(printed.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.That(net.parameters().Count(), Is.EqualTo(6));
        Assert.That(net.named_buffers().Select(b => b.name), Is.EqualTo(new[] { "1.running_mean", "1.running_var", "1.num_batches_tracked" }));
    }

    [Test]
    public void Pytorch_weights_loaded_into_our_network_give_pytorchs_outputs_in_both_modes()
    {
        using var scope = NewDisposeScope();
        using var net = SmallNet();
        manual_seed(5);
        var x = randn([6, 3, 8, 8]);
        using var r = PyTorch.Run("""
            import torch.nn as nn
            torch.manual_seed(0)
            net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                                nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 5))
            with torch.no_grad():
                net[1].running_mean.uniform_(-1, 1); net[1].running_var.uniform_(0.5, 2); net[1].weight.uniform_(0.5, 2)
            for k, v in net.state_dict().items():
                out["state." + k] = v.clone()
            net.eval()
            out["eval"] = net(inp["x"]).detach()
            net.train()
            out["train"] = net(inp["x"]).detach()
            out["running_mean_after"] = net[1].running_mean.clone()
            """, new Dictionary<string, Tensor> { ["x"] = x });
        var state = r.Tensors.Where(kv => kv.Key.StartsWith("state.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["state.".Length..], kv => kv.Value);
        net.load_state_dict(state);
        net.eval();
        using (no_grad())
        {
            Assert.That(net.forward(x).allclose(r.Tensors["eval"], 1e-5, 1e-5), Is.True);
            net.train();
            Assert.That(net.forward(x).allclose(r.Tensors["train"], 1e-5, 1e-5), Is.True);
        }
        var bn = (BatchNorm2d)net[1];
        Assert.That(bn.running_mean!.allclose(r.Tensors["running_mean_after"], 1e-5, 1e-6), Is.True);
        Assert.That(bn.num_batches_tracked!.item<long>(), Is.EqualTo(1));
    }

    [Test]
    public void Load_state_dict_reports_missing_unexpected_and_mismatched_entries()
    {
        using var scope = NewDisposeScope();
        using var net = SmallNet();
        var state = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        state.Remove("6.bias");
        state["extra"] = zeros([1]);
        var e = Assert.Throws<ArgumentException>(() => net.load_state_dict(state));
        Assert.That(e!.Message, Does.Contain("6.bias").And.Contain("extra"));
        var (missing, unexpected) = net.load_state_dict(state, strict: false);
        Assert.That(missing, Is.EqualTo(new[] { "6.bias" }));
        Assert.That(unexpected, Is.EqualTo(new[] { "extra" }));
        state.Remove("extra");
        state["6.bias"] = zeros([7]);
        e = Assert.Throws<ArgumentException>(() => net.load_state_dict(state));
        Assert.That(e!.Message, Does.Contain("6.bias").And.Contain("[5]").And.Contain("[7]"));
    }

    [Test]
    public void Train_and_eval_propagate_and_zero_grad_clears()
    {
        using var scope = NewDisposeScope();
        using var net = SmallNet();
        net.eval();
        Assert.That(net.named_modules().All(m => !m.module.training), Is.True);
        net.train();
        Assert.That(net.named_modules().All(m => m.module.training), Is.True);
        net.forward(randn([2, 3, 4, 4])).sum().backward();
        Assert.That(net.parameters().All(p => p.grad is not null), Is.True);
        net.zero_grad();
        Assert.That(net.parameters().All(p => p.grad is null), Is.True);
    }

    [Test]
    public void Default_initialisation_follows_pytorchs_bounds()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var linear = nn.Linear(400, 300);
        double bound = 1 / Math.Sqrt(400);
        float[] w = linear.weight.ToArray<float>();
        Assert.That(w.Max(), Is.LessThanOrEqualTo(bound).And.GreaterThan(0.98 * bound));
        Assert.That(w.Min(), Is.GreaterThanOrEqualTo(-bound).And.LessThan(-0.98 * bound));
        Assert.That(linear.bias!.ToArray<float>().Max(v => Math.Abs(v)), Is.LessThanOrEqualTo(bound));
        // U(-b, b) has variance b²/3.
        double variance = w.Select(v => (double)v * v).Average();
        Assert.That(variance, Is.EqualTo(bound * bound / 3).Within(3).Percent);
    }

    [Test]
    public void Kaiming_normal_fan_out_has_the_standard_deviation_torchvision_uses()
    {
        using var scope = NewDisposeScope();
        manual_seed(12);
        var w = empty([256, 64, 3, 3]);
        nn.init.kaiming_normal_(w, mode: nn.init.FanMode.FanOut, nonlinearity: "relu");
        double expected = Math.Sqrt(2.0 / (256 * 9));
        float[] v = w.ToArray<float>();
        double std = Math.Sqrt(v.Select(x => (double)x * x).Average());
        // 147k samples: the sample std is within 1% of σ with overwhelming probability.
        Assert.That(std, Is.EqualTo(expected).Within(1).Percent);
        Assert.That(v.Average(), Is.EqualTo(0).Within(0.01 * expected));
    }

    [Test]
    public void Modules_refuse_invalid_configurations()
    {
        Assert.Throws<ArgumentException>(() => nn.Conv2d(3, 4, 0));
        Assert.Throws<ArgumentException>(() => nn.Conv2d(3, 4, 3, groups: 2));
        Assert.Throws<ArgumentException>(() => nn.Linear(0, 4));
        using var bn = nn.BatchNorm2d(3);
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => bn.forward(ones([2, 3])));
    }
}
