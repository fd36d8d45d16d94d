using MoCo.Torch.Tests.Reference;
using F = MoCo.Torch.torch.nn.functional;

namespace MoCo.Torch.Tests;

// Forward values against PyTorch 1.13 (Debian's python3-torch) on identical inputs; float32, max abs diff ≤ 1e-5
// (relative to the values' scale) unless stated.
public class FunctionalVsPyTorchTests
{
    private static void AssertClose(Tensor ours, Tensor theirs, double tolerance = 1e-5)
    {
        Assert.That(ours.shape, Is.EqualTo(theirs.shape));
        float[] a = ours.contiguous().ToArray<float>(), b = theirs.ToArray<float>();
        double scale = Math.Max(1, b.Max(v => Math.Abs(v)));
        double worst = a.Zip(b, (x, y) => Math.Abs(x - y)).DefaultIfEmpty(0).Max();
        Assert.That(worst / scale, Is.LessThan(tolerance), $"max abs diff {worst} (scale {scale})");
    }

    [Test]
    public void Nn_functions_match_pytorch()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var x = torch.randn([4, 3, 9, 7]);
        var w = torch.randn([5, 3, 3, 3]);
        var b = torch.randn([5]);
        var lw = torch.randn([6, 5]);
        var lb = torch.randn([6]);
        var gamma = torch.rand([5]) + 0.5;
        var beta = torch.randn([5]);
        var rm = torch.randn([5]);
        var rv = torch.rand([5]) + 0.5;
        var theta = torch.tensor(new float[] { 0.7f, 0.2f, 0.1f, -0.1f, 0.9f, 0.0f, 1.0f, 0, 0, 0, 1.0f, 0, -0.6f, 0, 0.3f, 0, 0.5f, -0.2f, 0.5f, 0.1f, 0, 0.1f, 0.5f, 0.2f }, 4, 2, 3);
        var target = torch.tensor(new long[] { 0, 3, 5, 1 });

        var conv = F.conv2d(x, w, b, stride: [2, 1], padding: [1, 2]);
        var rmTrain = rm.clone();
        var rvTrain = rv.clone();
        var bnTrain = F.batch_norm(conv, rmTrain, rvTrain, gamma, beta, training: true, momentum: 0.1, eps: 1e-5);
        var bnEval = F.batch_norm(conv, rm, rv, gamma, beta, training: false);
        var pooled = F.adaptive_avg_pool2d(F.max_pool2d(F.relu(bnTrain), [3, 3], [2, 2], [1, 1]), [1, 1]).flatten(1);
        var logits = F.linear(pooled, lw, lb);
        var normalized = F.normalize(logits, dim: 1);
        var ce = F.cross_entropy(logits / 0.07, target);
        var grid = F.affine_grid(theta, [4, 3, 5, 6]);
        var sampled = F.grid_sample(x, grid);
        var resized = F.interpolate(x, [5, 4]);
        var resizedAA = F.interpolate(x, [5, 4], antialias: true);
        var enlarged = F.interpolate(x, [12, 11], align_corners: true);

        using var r = PyTorch.Run("""
            x, w, b = inp["x"], inp["w"], inp["b"]
            conv = F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2))
            rm, rv = inp["rm"].clone(), inp["rv"].clone()
            bn = F.batch_norm(conv, rm, rv, inp["gamma"], inp["beta"], training=True, momentum=0.1, eps=1e-5)
            out["conv"], out["bn_train"], out["rm"], out["rv"] = conv, bn, rm, rv
            out["bn_eval"] = F.batch_norm(conv, inp["rm"], inp["rv"], inp["gamma"], inp["beta"], training=False)
            pooled = F.adaptive_avg_pool2d(F.max_pool2d(F.relu(bn), 3, 2, 1), 1).flatten(1)
            logits = F.linear(pooled, inp["lw"], inp["lb"])
            out["logits"], out["normalized"] = logits, F.normalize(logits, dim=1)
            out["ce"] = F.cross_entropy(logits / 0.07, inp["target"]).reshape(())
            grid = F.affine_grid(inp["theta"], [4, 3, 5, 6], align_corners=False)
            out["sampled"] = F.grid_sample(x, grid, align_corners=False)
            out["resized"] = F.interpolate(x, size=(5, 4), mode="bilinear", align_corners=False)
            out["resized_aa"] = F.interpolate(x, size=(5, 4), mode="bilinear", align_corners=False, antialias=True)
            out["enlarged"] = F.interpolate(x, size=(12, 11), mode="bilinear", align_corners=True)
            """, new Dictionary<string, Tensor>
        {
            ["x"] = x, ["w"] = w, ["b"] = b, ["lw"] = lw, ["lb"] = lb, ["gamma"] = gamma, ["beta"] = beta,
            ["rm"] = rm, ["rv"] = rv, ["theta"] = theta, ["target"] = target,
        });
        var t = r.Tensors;
        AssertClose(conv, t["conv"]);
        AssertClose(bnTrain, t["bn_train"]);
        AssertClose(rmTrain, t["rm"]);
        AssertClose(rvTrain, t["rv"]);
        AssertClose(bnEval, t["bn_eval"]);
        AssertClose(logits, t["logits"]);
        AssertClose(normalized, t["normalized"]);
        AssertClose(ce, t["ce"]);
        AssertClose(sampled, t["sampled"]);
        AssertClose(resized, t["resized"]);
        AssertClose(resizedAA, t["resized_aa"]);
        AssertClose(enlarged, t["enlarged"]);
    }
}
