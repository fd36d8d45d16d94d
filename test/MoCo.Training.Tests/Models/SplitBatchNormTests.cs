using TorchSharp;
using MoCo.Training.Models;
using static TorchSharp.torch;

namespace MoCo.Training.Tests.Models;

public class SplitBatchNormTests
{
    // Reference: plain batch_norm applied to each sub-batch {n : n mod S = s} separately; running statistics are the
    // mean of the S separately updated copies. float64, 1e-10.
    [Test]
    public void Split_bn_equals_bn_applied_per_sub_batch()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        const int N = 8, C = 3, S = 4;
        using var sbn = new SplitBatchNorm2d(C, S);
        using (no_grad())
        {
            sbn.weight.uniform_(0.5, 1.5);
            sbn.bias.uniform_(-1, 1);
            sbn.running_mean.uniform_(-1, 1);
        }
        var x = randn([N, C, 5, 4]) * 2 + 1;
        var rm0 = sbn.running_mean.clone();
        var rv0 = sbn.running_var.clone();
        var y = sbn.forward(x);

        var expected = zeros_like(x);
        var rmSum = zeros([C]);
        var rvSum = zeros([C]);
        for (int s = 0; s < S; s++)
        {
            var idx = arange(s, N, S, ScalarType.Int64);
            var rm = rm0.clone();
            var rv = rv0.clone();
            var part = nn.functional.batch_norm(x.index_select(0, idx), rm, rv, sbn.weight, sbn.bias, training: true);
            expected.index_copy_(0, idx, part);
            rmSum.add_(rm);
            rvSum.add_(rv);
        }
        Assert.That(y.allclose(expected, 1e-5, 1e-5), Is.True, "normalised output");
        Assert.That(sbn.running_mean.allclose(rmSum / S, 1e-5, 1e-6), Is.True, "running mean");
        Assert.That(sbn.running_var.allclose(rvSum / S, 1e-5, 1e-6), Is.True, "running variance");
        // …and it differs from BN over the whole batch (the test can tell the two apart).
        var whole = nn.functional.batch_norm(x, rm0.clone(), rv0.clone(), sbn.weight, sbn.bias, training: true);
        Assert.That(y.allclose(whole, 1e-3, 1e-3), Is.False);
    }

    // Channels-last input (the C# kernels on the memory as it is) against NCHW input (libtorch's BatchNorm kernel on the
    // regrouped view): outputs, running statistics and the gradients of input, γ and β agree to float rounding (1e-4
    // relative). Channel counts below, at and past the vector width, with a remainder.
    [TestCase(8, 16, 12, 4)]
    [TestCase(16, 32, 4, 2)]
    [TestCase(6, 5, 3, 1)]
    [TestCase(12, 20, 5, 3)]
    [TestCase(16, 3, 7, 8)]
    public void Channels_last_input_equals_the_nchw_path(int n, int c, int hw, int splits)
    {
        using var scope = NewDisposeScope();
        manual_seed(13);
        using var reference = new SplitBatchNorm2d(c, splits);
        using var onView = new SplitBatchNorm2d(c, splits);
        using (no_grad())
        {
            reference.weight.uniform_(0.5, 1.5);
            reference.bias.uniform_(-1, 1);
            reference.running_mean.uniform_(-1, 1);
            onView.load_state_dict(reference.state_dict());
        }
        var x = (randn([n, c, hw, hw]) * 3 + 1).requires_grad_();
        var xl = x.detach().ToChannelsLast().requires_grad_();
        Assert.That(xl.IsChannelsLast(), Is.True);
        var upstream = randn([n, c, hw, hw]);
        var yr = reference.forward(x);
        var yf = onView.forward(xl);
        Assert.That(yf.IsChannelsLast(), Is.True, "the output is handed back channels-last");
        Assert.That(yf.allclose(yr, 1e-4, 1e-4), Is.True, "output");
        Assert.That(onView.running_mean.allclose(reference.running_mean, 1e-5, 1e-6), Is.True, "running mean");
        Assert.That(onView.running_var.allclose(reference.running_var, 1e-4, 1e-5), Is.True, "running var");
        (yr * upstream).sum().backward();
        (yf * upstream).sum().backward();
        Assert.That(xl.grad!.allclose(x.grad!, 1e-3, 1e-4), Is.True, "input gradient");
        Assert.That(onView.weight.grad!.allclose(reference.weight.grad!, 1e-3, 1e-3), Is.True, "γ gradient");
        Assert.That(onView.bias.grad!.allclose(reference.bias.grad!, 1e-4, 1e-4), Is.True, "β gradient");
    }

    // Activations far from zero (mean 1000, standard deviation 0.5) must not lose their variance to cancellation: the
    // channels-last statistics against float64 BatchNorm per sub-batch, and the upstream gradient handed over in NCHW
    // layout (converted inside the backward).
    [Test]
    public void Channels_last_statistics_survive_a_large_mean_and_an_nchw_gradient()
    {
        using var scope = NewDisposeScope();
        manual_seed(29);
        const int N = 16, C = 24, HW = 6, S = 4;
        using var sbn = new SplitBatchNorm2d(C, S);
        var x64 = randn([N, C, HW, HW], ScalarType.Float64) * 0.5 + 1000;
        var xl = x64.to(ScalarType.Float32).ToChannelsLast().requires_grad_();
        var y = sbn.forward(xl);
        var upstream = randn([N, C, HW, HW], ScalarType.Float64);
        (y * upstream.to(ScalarType.Float32)).sum().backward();   // the gradient of a product with an NCHW tensor is NCHW

        var expected = zeros_like(x64);
        var x64Grad = x64.detach().requires_grad_();
        for (int s = 0; s < S; s++)
        {
            var idx = arange(s, N, S, ScalarType.Int64);
            var part = nn.functional.batch_norm(x64Grad.index_select(0, idx), zeros([C], ScalarType.Float64), ones([C], ScalarType.Float64), training: true);
            expected.index_copy_(0, idx, part.detach());
            (part * upstream.index_select(0, idx)).sum().backward();
        }
        Assert.That(y.to(ScalarType.Float64).allclose(expected, 1e-3, 1e-3), Is.True, "output");
        Assert.That(xl.grad!.to(ScalarType.Float64).allclose(x64Grad.grad!, 1e-2, 1e-2), Is.True, "input gradient");
    }

    [Test]
    public void Eval_mode_uses_running_statistics_and_indivisible_batches_are_refused()
    {
        using var scope = NewDisposeScope();
        using var sbn = new SplitBatchNorm2d(2, 4);
        var x = randn([6, 2, 3, 3]);
        Assert.Throws<ArgumentException>(() => sbn.forward(x));
        sbn.eval();
        Assert.That(sbn.forward(x).allclose(x / Math.Sqrt(1 + 1e-5), 1e-6, 1e-6), Is.True);
    }
}

/// <summary>Regression (found on the H200, 2026-12-04: `moco smoke --device cuda` failed with "the given key
/// 'encoder_q.bn1.weightParameter' was not present"): moving a network re-registers its split BN's tensors, and the
/// state must keep BatchNorm2d's names and the module must keep using the tensors registered under them. TorchSharp's
/// Module.to runs the same code for a dtype change as for a device change, so a dtype round trip stands in for the GPU.</summary>
public class SplitBatchNormMoveTests
{
    [Test]
    public void A_moved_network_keeps_batchnorm_names_and_trains_the_registered_parameters()
    {
        using var scope = NewDisposeScope();
        var options = new ResNetOptions { Arch = ResNetArch.ResNet18, Width = 8, SmallImages = true, InChannels = 1, BnSplits = 2 };
        using var net = new ResNet(options);
        string[] before = net.StateEntries().Select(e => e.name).ToArray();
        Assert.That(before, Has.Member("bn1.weight").And.Member("bn1.running_var").And.None.Contains("Parameter"));
        net.to(ScalarType.Float64);
        net.to(ScalarType.Float32);
        Assert.That(net.StateEntries().Select(e => e.name).ToArray(), Is.EqualTo(before));

        var bn1 = (SplitBatchNorm2d)net.named_children().Single(c => c.name == "bn1").module;
        var registered = bn1.named_parameters(recurse: false).ToDictionary(p => p.name, p => p.parameter);
        Assert.That(registered.Keys, Is.EquivalentTo(new[] { "weight", "bias" }));
        Assert.That(ReferenceEquals(registered["weight"], bn1.weight), Is.True, "forward uses the registered γ");
        net.forward(randn([4, 1, 16, 16])).sum().backward();
        Assert.That(registered["weight"].grad, Is.Not.Null, "the gradient reaches the registered γ");
    }

    [Test]
    public void A_moved_moco_model_keeps_its_state_names()
    {
        using var scope = NewDisposeScope();
        var config = MoCo.Training.Trainer.PretrainConfig.V2 with
        {
            Arch = "resnet18", Width = 8, SmallImages = true, InChannels = 1, BnSplits = 2, QueueSize = 64, InputSize = 16, Mean = [0.5], Std = [0.5],
        };
        using var model = MoCo.Training.Method.ContrastiveModel.Create(config.Method, config.EncoderOptions, config.MoCoOptions, 256);
        string[] before = model.StateEntries().Select(e => e.name).ToArray();
        model.to(ScalarType.Float64);
        model.to(ScalarType.Float32);
        Assert.That(model.StateEntries().Select(e => e.name).ToArray(), Is.EqualTo(before));
    }
}
