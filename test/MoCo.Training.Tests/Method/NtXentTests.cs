using TorchSharp;
using MoCo.Training.Tests.Reference;
using MoCo.Training.Method;
using MoCo.Training.Models;
using static TorchSharp.torch;

namespace MoCo.Training.Tests.Method;

public class NtXentTests
{
    private static readonly ResNetOptions Tiny = new() { Arch = ResNetArch.ResNet18, Width = 4, SmallImages = true, InChannels = 1 };

    // Closed form, N = 2, C = 2, τ = 1: views z1 = (e1, e2), z2 = (e1, e2). View e1 (first) has its positive e1 at
    // similarity 1 and negatives e2, e2 at 0: ℓ = −log(e / (e + 2)); every view is alike, so the mean is log(1 + 2/e).
    [Test]
    public void Orthogonal_pairs_give_log_of_one_plus_two_over_e()
    {
        using var scope = NewDisposeScope();
        var z = tensor(new double[] { 1, 0, 0, 1 }).reshape(2, 2);
        Assert.That(NtXent.Loss(z, z.clone(), 1.0).item<double>(), Is.EqualTo(Math.Log(1 + 2 / Math.E)).Within(1e-15));
        // τ = 0.5, z2 = (e1, −e2): the views e1 (1st, 3rd) have their positive at 1/τ = 2 and negatives e2, −e2 at 0; the
        // views e2, −e2 (2nd, 4th) have their positive at −2 and negatives e1, e1 at 0.
        var z2 = tensor(new double[] { 1, 0, 0, -1 }).reshape(2, 2);
        double l13 = -Math.Log(Math.Exp(2) / (Math.Exp(2) + 2)), l24 = -Math.Log(Math.Exp(-2) / (Math.Exp(-2) + 2));
        Assert.That(NtXent.Loss(z, z2, 0.5).item<double>(), Is.EqualTo((2 * l13 + 2 * l24) / 4).Within(1e-14));
    }

    [Test]
    public void Loss_equals_the_formula_computed_independently()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        const int N = 3, C = 5;
        const double T = 0.3;
        var z1 = nn.functional.normalize(randn([N, C], ScalarType.Float64), dim: 1);
        var z2 = nn.functional.normalize(randn([N, C], ScalarType.Float64), dim: 1);
        double[] z = cat([z1, z2], 0).data<double>().ToArray();
        double Sim(int i, int j) => Enumerable.Range(0, C).Sum(c => z[i * C + c] * z[j * C + c]) / T;
        double expected = 0;
        for (int i = 0; i < 2 * N; i++)
        {
            int positive = (i + N) % (2 * N);
            double denominator = Enumerable.Range(0, 2 * N).Where(j => j != i).Sum(j => Math.Exp(Sim(i, j)));
            expected += -Math.Log(Math.Exp(Sim(i, positive)) / denominator);
        }
        Assert.That(NtXent.Loss(z1, z2, T).item<double>(), Is.EqualTo(expected / (2 * N)).Within(1e-12));
        Assert.That(NtXent.Targets(N, CPU).data<long>().ToArray(), Is.EqualTo(new long[] { 3, 4, 5, 0, 1, 2 }));
    }

    // Reference: PyTorch on the same float32 inputs, written the other way round (the diagonal removed, 2N − 1 logits
    // per view, the positive's column found after the removal), forward and gradients of the unnormalised embeddings.
    [Test]
    public void Loss_and_gradients_match_pytorch()
    {
        using var scope = NewDisposeScope();
        manual_seed(12);
        const int N = 6, C = 8;
        var a = randn([N, C]);
        var b = randn([N, C]);
        var x1 = a.clone().requires_grad_();
        var x2 = b.clone().requires_grad_();
        var loss = NtXent.Loss(nn.functional.normalize(x1, dim: 1), nn.functional.normalize(x2, dim: 1), 0.2);
        loss.backward();
        using var r = PyTorch.Run("""
            x1 = inp["a"].clone().requires_grad_(); x2 = inp["b"].clone().requires_grad_()
            z = torch.cat([F.normalize(x1, dim=1), F.normalize(x2, dim=1)])
            n2 = z.shape[0]; n = n2 // 2
            sim = z @ z.T / 0.2
            keep = ~torch.eye(n2, dtype=torch.bool)
            logits = sim[keep].view(n2, n2 - 1)
            pos = torch.cat([torch.arange(n, n2), torch.arange(0, n)])
            target = pos - (pos > torch.arange(n2)).long()
            loss = F.cross_entropy(logits, target)
            loss.backward()
            out["loss"] = loss.detach().reshape(1); out["g1"] = x1.grad; out["g2"] = x2.grad
            """, new Dictionary<string, Tensor> { ["a"] = a, ["b"] = b });
        Assert.That(loss.item<float>(), Is.EqualTo(r.Tensors["loss"].item<float>()).Within(1e-5));
        Assert.That((x1.grad! - r.Tensors["g1"]).abs().max().item<float>(), Is.LessThan(1e-5));
        Assert.That((x2.grad! - r.Tensors["g2"]).abs().max().item<float>(), Is.LessThan(1e-5));
    }

    [Test]
    public void End_to_end_forward_is_nt_xent_of_both_views_through_one_encoder_and_keys_get_gradient()
    {
        using var scope = NewDisposeScope();
        manual_seed(13);
        using var model = new EndToEndContrast(Tiny, new MoCoOptions { Dim = 8, Temperature = 0.2, Mlp = true });
        Assert.That(model.StateEntries().Select(e => e.name), Has.All.StartWith("encoder_q."), "no key encoder, no queue");
        model.eval();   // running statistics: the same features batch by batch or all at once
        var x1 = randn([4, 1, 16, 16]);
        var x2 = randn([4, 1, 16, 16]).requires_grad_();
        var loss = model.forward((x1, x2, null));
        var expected = NtXent.Loss(model.Queries(x1), model.Queries(x2), 0.2);
        Assert.That(loss.item<float>(), Is.EqualTo(expected.item<float>()).Within(1e-6));
        loss.backward();
        Assert.That(x2.grad!.abs().sum().item<float>(), Is.GreaterThan(0), "the key view is back-propagated through");
        Assert.That(model.encoder_q.parameters().First().grad!.abs().sum().item<float>(), Is.GreaterThan(0));
    }
}
