using TorchSharp;
using MoCo.Training.Tests.Reference;
using MoCo.Training.Method;
using MoCo.Training.Models;
using static TorchSharp.torch;

namespace MoCo.Training.Tests.Method;

public class MemoryBankContrastTests
{
    private static readonly ResNetOptions Tiny = new() { Arch = ResNetArch.ResNet18, Width = 4, SmallImages = true, InChannels = 1 };

    private static MemoryBankContrast Model(int images, int k, int dim = 2, double t = 0.5) =>
        new(Tiny, new MoCoOptions { Dim = dim, QueueSize = k, Temperature = t }, images);

    private static void SetBank(MemoryBankContrast model, double[] rows)
    {
        using var _ = no_grad();
        model.memory_bank.copy_(tensor(rows.Select(v => (float)v).ToArray()).reshape(model.memory_bank.shape));
    }

    // Closed form: bank rows v0 … v4 in 2-D, queries q0 = e1 (image 1) and q1 = e2 (image 3), negatives rows 0, 2, 2, 4.
    // ℓ_n = −log exp(q_n·v_{i_n}/τ) / (exp(q_n·v_{i_n}/τ) + Σ_j exp(q_n·v_{neg_j}/τ)), mean over n.
    [Test]
    public void Loss_is_infonce_against_the_banks_own_row_and_the_sampled_rows()
    {
        using var scope = NewDisposeScope();
        using var model = Model(images: 5, k: 4);
        double s = Math.Sqrt(0.5);
        double[] v = [1, 0, s, s, 0, 1, -s, s, 0, -1];
        SetBank(model, v);
        var q = tensor(new float[] { 1, 0, 0, 1 }).reshape(2, 2);
        var indices = tensor(new long[] { 1, 3 });
        var negatives = tensor(new long[] { 0, 2, 2, 4 });
        const double T = 0.5;
        // q0 = e1: positive v1 → s; negatives v0 → 1, v2 → 0 (twice), v4 → 0.
        double l0 = -Math.Log(Math.Exp(s / T) / (Math.Exp(s / T) + Math.Exp(1 / T) + 3));
        // q1 = e2: positive v3 → s; negatives v0 → 0, v2 → 1 (twice), v4 → −1.
        double l1 = -Math.Log(Math.Exp(s / T) / (Math.Exp(s / T) + 1 + 2 * Math.Exp(1 / T) + Math.Exp(-1 / T)));
        Assert.That(model.Loss(q, indices, negatives).item<float>(), Is.EqualTo((l0 + l1) / 2).Within(1e-6));
    }

    // Closed form: v ← normalise(0.5·v + 0.5·q) for the batch's rows; every other row keeps its bits.
    [Test]
    public void Bank_update_is_momentum_then_renormalise_on_the_batchs_rows_only()
    {
        using var scope = NewDisposeScope();
        using var model = Model(images: 5, k: 4);
        double s = Math.Sqrt(0.5);
        double[] v = [1, 0, s, s, 0, 1, -s, s, 0, -1];
        SetBank(model, v);
        var before = model.memory_bank.clone();
        var q = tensor(new float[] { 0.6f, 0.8f, 0.6f, -0.8f }).reshape(2, 2);
        model.UpdateBank(tensor(new long[] { 4, 1 }), q);
        var after = model.memory_bank;
        // Row 4: (0, −1)/2 + (0.6, 0.8)/2 = (0.3, −0.1); row 1: (s + 0.6, s − 0.8)/2; then each to unit length.
        double ax = (s + 0.6) / 2, ay = (s - 0.8) / 2, norm = Math.Sqrt(ax * ax + ay * ay);
        Assert.That(after[1][0].item<float>(), Is.EqualTo(ax / norm).Within(1e-6));
        Assert.That(after[1][1].item<float>(), Is.EqualTo(ay / norm).Within(1e-6));
        Assert.That(after[4][0].item<float>(), Is.EqualTo(0.3 / Math.Sqrt(0.1)).Within(1e-6));
        Assert.That(after[4][1].item<float>(), Is.EqualTo(-0.1 / Math.Sqrt(0.1)).Within(1e-6));
        foreach (int row in new[] { 0, 2, 3 }) Assert.That(after[row].SameValues(before[row]), Is.True, $"row {row}");
        // Momentum 0.9 on a non-degenerate pair: normalise(0.9·v2 + 0.1·q).
        using var slow = new MemoryBankContrast(Tiny, new MoCoOptions { Dim = 2, QueueSize = 4, MemoryBankMomentum = 0.9 }, 5);
        SetBank(slow, v);
        slow.UpdateBank(tensor(new long[] { 2 }), tensor(new float[] { 1, 0 }).reshape(1, 2));
        double bx = 0.1, by = 0.9, bn = Math.Sqrt(bx * bx + by * by);
        Assert.That(slow.memory_bank[2][0].item<float>(), Is.EqualTo(bx / bn).Within(1e-6));
        Assert.That(slow.memory_bank[2][1].item<float>(), Is.EqualTo(by / bn).Within(1e-6));
    }

    // Reference: PyTorch on the same float32 bank, queries and sampled indices (per-sample gather, as InstDisc's
    // NCEAverage: weight = memory[idx] with idx[:, 0] the image's own row), loss and gradient of the raw queries, then
    // the bank after InstDisc's update.
    [Test]
    public void Loss_gradient_and_update_match_pytorch()
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        const int Images = 20, N = 5, C = 8, K = 12;
        using var model = Model(Images, K, C, 0.1);
        var bank0 = model.memory_bank.clone();
        var raw = randn([N, C]);
        var x = raw.clone().requires_grad_();
        var indices = tensor(new long[] { 3, 17, 0, 9, 12 });
        var negatives = model.SampleNegatives();
        var q = nn.functional.normalize(x, dim: 1);
        var loss = model.Loss(q, indices, negatives);
        loss.backward();
        model.UpdateBank(indices, q);
        using var r = PyTorch.Run("""
            memory = inp["bank"].clone(); x = inp["x"].clone().requires_grad_()
            y = inp["idx"]; neg = inp["neg"]
            q = F.normalize(x, dim=1)
            idx = torch.cat([y.view(-1, 1), neg.view(1, -1).expand(len(y), -1)], 1)   # N x (1 + K)
            weight = torch.index_select(memory, 0, idx.view(-1)).view(len(y), -1, q.shape[1])
            logits = torch.bmm(weight, q.view(len(y), -1, 1)).squeeze(2) / 0.1
            loss = F.cross_entropy(logits, torch.zeros(len(y), dtype=torch.long))
            loss.backward()
            with torch.no_grad():
                pos = torch.index_select(memory, 0, y).mul_(0.5).add_(q.detach() * 0.5)
                memory.index_copy_(0, y, pos / pos.pow(2).sum(1, keepdim=True).sqrt())
            out["loss"] = loss.detach().reshape(1); out["grad"] = x.grad; out["bank"] = memory
            """, new Dictionary<string, Tensor> { ["bank"] = bank0, ["x"] = raw, ["idx"] = indices, ["neg"] = negatives });
        Assert.That(loss.item<float>(), Is.EqualTo(r.Tensors["loss"].item<float>()).Within(1e-5));
        Assert.That((x.grad! - r.Tensors["grad"]).abs().max().item<float>(), Is.LessThan(1e-5));
        Assert.That((model.memory_bank - r.Tensors["bank"]).abs().max().item<float>(), Is.LessThan(1e-6));
    }

    [Test]
    public void Negatives_are_drawn_uniformly_over_the_whole_bank()
    {
        using var scope = NewDisposeScope();
        manual_seed(23);
        using var model = Model(images: 10, k: 20000);
        var counts = model.SampleNegatives().bincount(null, 0).to(ScalarType.Float64);
        Assert.That(counts.size(0), Is.EqualTo(10), "every row, none past the end");
        // Uniform: 2,000 draws per row expected; 5 standard deviations (√(20000·0.1·0.9) ≈ 42) either side.
        Assert.That(counts.min().item<double>(), Is.GreaterThan(2000 - 5 * 42));
        Assert.That(counts.max().item<double>(), Is.LessThan(2000 + 5 * 42));
    }

    [Test]
    public void Forward_draws_negatives_from_the_cpu_generator_and_updates_the_batchs_rows()
    {
        using var scope = NewDisposeScope();
        manual_seed(22);
        using var model = Model(images: 30, k: 16, dim: 8, t: 0.2);
        var x1 = randn([4, 1, 16, 16]);
        var x2 = randn([4, 1, 16, 16]);
        var indices = tensor(new long[] { 7, 2, 29, 11 });
        var bank = model.memory_bank.clone();
        var rng = random.get_rng_state();
        Tensor expected;
        using (no_grad())
        {
            var q = model.Queries(x1);
            expected = model.Loss(q, indices, model.SampleNegatives());
        }
        using (no_grad()) model.memory_bank.copy_(bank);
        random.set_rng_state(rng);
        var loss = model.forward((x1, x2, indices));
        Assert.That(loss.item<float>(), Is.EqualTo(expected.item<float>()).Within(1e-6));
        var changed = (model.memory_bank - bank).abs().sum(1).gt(0).nonzero().flatten().data<long>().Order().ToArray();
        Assert.That(changed, Is.EqualTo(new long[] { 2, 7, 11, 29 }));
        Assert.That(model.memory_bank.norm(1).sub(1).abs().max().item<float>(), Is.LessThan(1e-6), "every row stays a unit vector");
        Assert.That(model.StateEntries().Select(e => e.name), Does.Contain("memory_bank").And.Not.Contain("queue").And.Not.Contain("encoder_k.conv1.weight"));
        Assert.Throws<ArgumentException>(() => model.forward((x1, x2, null)));
        Assert.Throws<ArgumentException>(() => model.forward((x1, x2, tensor(new long[] { 0, 1, 2, 30 }))));
    }
}
