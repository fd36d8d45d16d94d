using MoCo.Training.FineTuning;
using MoCo.Training.Method;
using MoCo.Training.Optim;
using MoCo.Training.Tests.Reference;
using MoCo.Training.Trainer;
using MoCo.Training.Tests.Trainer;

namespace MoCo.Training.Tests.FineTuning;

public class FineTuneStepTests
{
    internal static readonly FineTuneConfig Small = new()
    {
        Arch = "resnet18", Width = 4, SmallImages = true, InChannels = 1, Classes = 10, InputSize = 28, ChannelsLast = false,
        LearningRate = 0.05, HeadLearningRate = 0.5, WeightDecay = 5e-4, Threads = 1, Seed = 11,
    };

    // The ResNet-18 (width 4, small stem, 1 channel) of torchvision's BasicBlocks, named as torchvision names it.
    internal const string PythonNet = """
        import torch.nn as nn
        from torchvision.models.resnet import BasicBlock
        class Net(nn.Module):
            def __init__(s, w, classes):
                super().__init__()
                s.conv1 = nn.Conv2d(1, w, 3, 1, 1, bias=False); s.bn1 = nn.BatchNorm2d(w); s.relu = nn.ReLU(inplace=True)
                inp = w
                for i in range(4):
                    planes, stride, blocks = w << i, (1 if i == 0 else 2), []
                    for b in range(2):
                        ds = None
                        if b == 0 and (stride != 1 or inp != planes):
                            ds = nn.Sequential(nn.Conv2d(inp, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
                        blocks.append(BasicBlock(inp, planes, stride if b == 0 else 1, ds)); inp = planes
                    setattr(s, f"layer{i + 1}", nn.Sequential(*blocks))
                s.fc = nn.Linear(inp, classes)
            def forward(s, x):
                x = s.relu(s.bn1(s.conv1(x)))
                for i in range(4): x = getattr(s, f"layer{i + 1}")(x)
                return s.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))
        """;

    // Steps (the second at a lower rate, as the cosine schedule gives) of cross-entropy + SGD with a backbone and a
    // head group, against torch.optim.SGD with two parameter groups on the same weights and batch. float32: losses and
    // every state tensor (weights, BN running statistics) agree to 1e-5 of the tensor's largest magnitude. Channels-last
    // is compared over one step: its convolutions round differently (gradients agree to ~3e-6), and at this tiny size a
    // 1e-7 change of the weights flips ReLUs, so the second step's gradients part by ~1% in either layout's rounding
    // (measured: the same weights copied fresh give the same gradients bit for bit; the discontinuity, not a layout bug).
    [TestCase(true, false, false, 2)]
    [TestCase(false, true, false, 2)]
    [TestCase(true, false, true, 1)]
    public void Steps_equal_torch_with_two_parameter_groups(bool nesterov, bool freezeBn, bool channelsLast, int steps)
    {
        using var scope = NewDisposeScope();
        var config = Small with { Nesterov = nesterov, FreezeBn = freezeBn, ChannelsLast = channelsLast };
        using var model = FineTuneModel.Create(config);
        manual_seed(5);
        var x = randn([8, 1, 28, 28]);
        var y = tensor(new long[] { 0, 3, 9, 1, 3, 5, 7, 2 });
        var inputs = model.Network.StateEntries().ToDictionary(e => "s." + e.name, e => e.tensor.contiguous().clone());
        inputs["x"] = x;
        inputs["y"] = y;

        using var backbone = new SGD(model.BackboneParameters(), 0.05, 0.9, 0, 5e-4, nesterov);
        using var head = new SGD(model.HeadParameters(), 0.5, 0.9, 0, 5e-4, nesterov);
        var step = new FineTuneStep(model, backbone, head);
        model.Train();
        var losses = new List<double> { step.Take(x, y) };
        if (steps == 2)
        {
            backbone.LearningRate = 0.03;
            head.LearningRate = 0.3;
            losses.Add(step.Take(x, y));
        }

        string py = $$"""
            {{PythonNet}}
            net = Net(4, 10)
            net.load_state_dict({k[2:]: v for k, v in inp.items() if k.startswith("s.")})
            net.train()
            if {{(freezeBn ? "True" : "False")}}:
                for m in net.modules():
                    if isinstance(m, nn.BatchNorm2d): m.eval()
            backbone = [p for n, p in net.named_parameters() if not n.startswith("fc.")]
            opt = torch.optim.SGD([{"params": backbone, "lr": 0.05}, {"params": list(net.fc.parameters()), "lr": 0.5}],
                                  momentum=0.9, weight_decay=5e-4, nesterov={{(nesterov ? "True" : "False")}})
            losses = []
            for lrs in ((0.05, 0.5), (0.03, 0.3))[:{{steps}}]:
                for g, lr in zip(opt.param_groups, lrs): g["lr"] = lr
                opt.zero_grad()
                loss = F.cross_entropy(net(inp["x"]), inp["y"])
                loss.backward()
                opt.step()
                losses.append(loss.item())
            out["loss"] = torch.tensor(losses, dtype=torch.float64)
            for k, v in net.state_dict().items(): out["s." + k] = v
            """;
        using var r = PyTorch.Run(py, inputs);
        double[] expected = r.Tensors["loss"].data<double>().ToArray();
        Assert.That(expected, Has.Length.EqualTo(steps));
        for (int k = 0; k < steps; k++) Assert.That(losses[k], Is.EqualTo(expected[k]).Within(1e-5 * expected[k]), $"loss of step {k + 1}");
        if (steps == 2) Assert.That(losses[1], Is.LessThan(losses[0]), "the first step lowered the loss on its batch");
        int compared = 0;
        foreach (var (name, mine) in model.Network.StateEntries())
        {
            Tensor theirs = r.Tensors["s." + name];
            if (mine.dtype == ScalarType.Int64)
            {
                Assert.That(mine.SameValues(theirs), Is.True, name);
                continue;
            }
            double scale = Math.Max(theirs.abs().max().item<float>(), 1e-6);
            double diff = (mine.contiguous() - theirs).abs().max().item<float>();
            Assert.That(diff, Is.LessThanOrEqualTo(1e-5 * scale), $"{name}: max |Δ| {diff:G3} of max |θ| {scale:G3}");
            compared++;
        }
        Assert.That(compared, Is.EqualTo(inputs.Count - 2 - model.Network.StateEntries().Count(e => e.tensor.dtype == ScalarType.Int64)));
    }

    [Test]
    public void The_backbone_comes_from_a_pretraining_checkpoints_encoder_q_without_its_head()
    {
        using var scope = NewDisposeScope();
        string dir = Directory.CreateTempSubdirectory("moco-ft-").FullName;
        try
        {
            var pretraining = PretrainRunTests.Tiny with { InputSize = 28, Mean = [0.3], Std = [0.4], ChannelsLast = false };
            string path = Path.Combine(dir, "last.ckpt");
            using (var contrastive = ContrastiveModel.Create(pretraining.Method, pretraining.EncoderOptions, pretraining.MoCoOptions, 48))
            using (var sgd = new SGD(contrastive.encoder_q.parameters(), 0.1, 0.9, 0, 0, false))
            {
                Checkpoint.Save(path, contrastive, sgd, pretraining, new TrainingPosition());
            }
            var config = new FineTuneConfig { Classes = 3, Seed = 4 }.WithEncoderOf(path, pretraining);
            Assert.That((config.Arch, config.Width, config.SmallImages, config.InChannels, config.Mean, config.Std),
                Is.EqualTo(("resnet18", 4, true, 1, new[] { 0.3 }, new[] { 0.4 })));
            using var model = FineTuneModel.Create(config);
            using var saved = MoCo.Training.Serialization.SafeTensors.Load(path);
            var state = model.Network.StateEntries().ToList();
            foreach (var (name, tensor) in state.Where(e => !e.name.StartsWith("fc.", StringComparison.Ordinal)))
                Assert.That(tensor.contiguous().SameValues(saved.Tensors["encoder_q." + name]), Is.True, name);
            Assert.That(state.Single(e => e.name == "fc.weight").tensor.shape, Is.EqualTo(new long[] { 3, 32 }), "a new classifier on the 32 pooled features");
            Assert.That(saved.Names, Does.Contain("encoder_q.fc.0.weight"), "the projection head was in the checkpoint and left out");
            Assert.That(model.HeadParameters().Count(), Is.EqualTo(2));
            Assert.That(model.BackboneParameters().Count() + 2, Is.EqualTo(model.Network.parameters().Count()));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
