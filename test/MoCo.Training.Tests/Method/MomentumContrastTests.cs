using TorchSharp;
using MoCo.Training.Tests.Reference;
using MoCo.Training.Method;
using MoCo.Training.Models;
using static TorchSharp.torch;

namespace MoCo.Training.Tests.Method;

public class MomentumContrastTests
{
    private static readonly ResNetOptions Tiny = new() { Arch = ResNetArch.ResNet18, Width = 4, SmallImages = true, InChannels = 1 };

    [Test]
    public void InfoNce_equals_the_formula_computed_independently()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        const int N = 4, C = 8, K = 16;
        const double T = 0.2;
        var q = nn.functional.normalize(randn([N, C], ScalarType.Float64), dim: 1);
        var k = nn.functional.normalize(randn([N, C], ScalarType.Float64), dim: 1);
        var queue = nn.functional.normalize(randn([C, K], ScalarType.Float64), dim: 0);
        double loss = InfoNce.Loss(q, k, queue, T).item<double>();

        double[] qa = q.ToArray<double>(), ka = k.ToArray<double>(), za = queue.ToArray<double>();
        double expected = 0;
        for (int n = 0; n < N; n++)
        {
            double pos = 0;
            for (int c = 0; c < C; c++) pos += qa[n * C + c] * ka[n * C + c];
            double denominator = Math.Exp(pos / T);
            for (int j = 0; j < K; j++)
            {
                double neg = 0;
                for (int c = 0; c < C; c++) neg += qa[n * C + c] * za[c * K + j];
                denominator += Math.Exp(neg / T);
            }
            expected += -Math.Log(Math.Exp(pos / T) / denominator);
        }
        Assert.That(loss, Is.EqualTo(expected / N).Within(1e-12));
    }

    [Test]
    public void Queue_is_fifo_and_wraps_around()
    {
        using var scope = NewDisposeScope();
        using var moco = new MomentumContrast(Tiny, new MoCoOptions { Dim = 2, QueueSize = 6 });
        for (int step = 0; step < 4; step++)
        {
            var keys = full([3, 2], step + 1);
            moco.DequeueAndEnqueue(keys);
        }
        // Steps 1..4 of 3 keys each into 6 slots: step 3 overwrote slots 0-2, step 4 slots 3-5.
        Assert.That(moco.queue.ToArray<float>(), Is.EqualTo(new float[] { 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4 }));
        Assert.That(moco.queue_ptr.item<long>(), Is.EqualTo(0));
        moco.DequeueAndEnqueue(full([3, 2], 5));
        Assert.That(moco.queue.select(0, 0).ToArray<float>(), Is.EqualTo(new float[] { 5, 5, 5, 4, 4, 4 }));
        Assert.That(moco.queue_ptr.item<long>(), Is.EqualTo(3));
        Assert.Throws<InvalidOperationException>(() => moco.DequeueAndEnqueue(full([4, 2], 1)));
    }

    [Test]
    public void Initial_queue_holds_unit_columns()
    {
        using var scope = NewDisposeScope();
        using var moco = new MomentumContrast(Tiny, new MoCoOptions { Dim = 16, QueueSize = 32 });
        Assert.That(moco.queue.norm(0, p: 2).allclose(ones([32]), 1e-5, 1e-5), Is.True);
    }

    [Test]
    public void Momentum_update_follows_the_formula_and_key_encoder_gets_no_gradient()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        using var moco = new MomentumContrast(Tiny, new MoCoOptions { Dim = 8, QueueSize = 16, Momentum = 0.9 });
        var namesQ = moco.encoder_q.named_parameters().ToList();
        var namesK = moco.encoder_k.named_parameters().ToList();
        for (int i = 0; i < namesQ.Count; i++)
        {
            Assert.That(namesK[i].name, Is.EqualTo(namesQ[i].name));
            Assert.That(namesK[i].parameter.SameValues(namesQ[i].parameter), Is.True, "θk starts as θq");
            Assert.That(namesK[i].parameter.requires_grad, Is.False);
        }
        using (no_grad())
        {
            foreach (var (_, p) in namesQ) p.add_(randn(p.shape) * 0.1);
        }
        var kBefore = namesK.Select(p => p.parameter.clone()).ToList();
        var qNow = namesQ.Select(p => p.parameter.clone()).ToList();
        moco.MomentumUpdateKeyEncoder();
        for (int i = 0; i < namesK.Count; i++)
        {
            var expected = kBefore[i] * 0.9 + qNow[i] * (1 - 0.9);
            Assert.That(namesK[i].parameter.allclose(expected, 1e-6, 1e-7), Is.True, namesK[i].name);
        }

        var x1 = randn([8, 1, 12, 12]);
        var x2 = randn([8, 1, 12, 12]);
        moco.forward((x1, x2, null)).backward();
        Assert.That(moco.encoder_k.parameters().All(p => p.grad is null), Is.True, "no gradient reaches the key encoder");
        Assert.That(moco.encoder_q.parameters().All(p => p.grad is not null), Is.True);
    }

    [Test]
    public void A_step_enqueues_the_keys_it_computed()
    {
        using var scope = NewDisposeScope();
        manual_seed(8);
        using var moco = new MomentumContrast(Tiny, new MoCoOptions { Dim = 8, QueueSize = 16, Momentum = 0.0, ShuffleKeys = false });
        var x1 = randn([4, 1, 10, 10]);
        var x2 = randn([4, 1, 10, 10]);
        using (no_grad()) moco.forward((x1, x2, null));
        // With m = 0 the key encoder equals the query encoder after the update; the keys are its normalised output.
        Tensor expected;
        using (no_grad()) expected = nn.functional.normalize(moco.encoder_k.forward(x2), dim: 1);
        // BN in train mode used the same batch statistics both times; the running stats changed but are not used.
        Assert.That(moco.queue.narrow(1, 0, 4).t().allclose(expected, 1e-5, 1e-6), Is.True);
        Assert.That(moco.queue_ptr.item<long>(), Is.EqualTo(4));
    }

    [Test]
    public void Symmetric_loss_is_the_sum_of_both_directions_and_enqueues_both_key_batches()
    {
        using var scope = NewDisposeScope();
        manual_seed(10);
        using var moco = new MomentumContrast(Tiny, new MoCoOptions { Dim = 8, QueueSize = 32, Symmetric = true, Momentum = 0, ShuffleKeys = false });
        var x1 = randn([4, 1, 10, 10]);
        var x2 = randn([4, 1, 10, 10]);
        var queueBefore = moco.queue.clone();
        double loss = moco.forward((x1, x2, null)).item<float>();
        Assert.That(moco.queue_ptr.item<long>(), Is.EqualTo(8));
        using (no_grad())
        {
            // m = 0: the key encoder now equals the query encoder; train-mode BN depends only on the batch.
            var z1 = nn.functional.normalize(moco.encoder_q.forward(x1), dim: 1);
            var z2 = nn.functional.normalize(moco.encoder_q.forward(x2), dim: 1);
            double expected = InfoNce.Loss(z1, z2, queueBefore, 0.07).item<float>() + InfoNce.Loss(z2, z1, queueBefore, 0.07).item<float>();
            Assert.That(loss, Is.EqualTo(expected).Within(1e-4));
            Assert.That(moco.queue.narrow(1, 0, 8).t().allclose(cat([z1, z2], 0), 1e-5, 1e-6), Is.True, "k1 then k2 enqueued");
        }
    }

    [Test]
    public void State_names_follow_the_official_moco_code()
    {
        using var moco = new MomentumContrast(new ResNetOptions { Arch = ResNetArch.ResNet50 }, new MoCoOptions { Mlp = true, QueueSize = 256 });
        string[] ours = moco.StateEntries().Select(e => $"{e.name} {string.Join("x", e.tensor.shape)}").ToArray();
        // The official builder (moco/builder.py) on torchvision's resnet50, rebuilt here: encoder_q/encoder_k with
        // fc = Sequential(Linear(2048, 2048), ReLU(), Linear(2048, 128)), buffers queue (128×K) and queue_ptr.
        string[] theirs = PyTorch.RunScript("""
            import torch, torchvision
            class MoCo(torch.nn.Module):
                def __init__(self, K=256, dim=128):
                    super().__init__()
                    self.encoder_q = torchvision.models.resnet50(num_classes=dim)
                    self.encoder_k = torchvision.models.resnet50(num_classes=dim)
                    d = self.encoder_q.fc.weight.shape[1]
                    self.encoder_q.fc = torch.nn.Sequential(torch.nn.Linear(d, d), torch.nn.ReLU(), self.encoder_q.fc)
                    self.encoder_k.fc = torch.nn.Sequential(torch.nn.Linear(d, d), torch.nn.ReLU(), self.encoder_k.fc)
                    self.register_buffer("queue", torch.randn(dim, K))
                    self.register_buffer("queue_ptr", torch.zeros(1, dtype=torch.long))
            for k, v in MoCo().state_dict().items():
                print(k, "x".join(str(s) for s in v.shape))
            """).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(ours, Is.EqualTo(theirs));
    }
}
