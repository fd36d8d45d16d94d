using System.Text.Json;
using MoCo.Training.FineTuning;
using MoCo.Training.Tests.Trainer;

namespace MoCo.Training.Tests.FineTuning;

/// <summary>Fine-tuning the encoder of a pretraining checkpoint builds its stem as the checkpoint's config says: a
/// solo-learn CIFAR import's conv1 pads by 2 (<c>ResNetOptions.StemPadding</c>); other configs keep the usual padding
/// and write no such key.</summary>
public class FineTuneStemPaddingTests
{
    [TestCase(2, 2)]
    [TestCase(null, 1)]
    public void The_encoder_of_a_checkpoint_keeps_its_stems_padding(int? padding, int inForce)
    {
        var pretraining = PretrainRunTests.Tiny with { StemPadding = padding, ChannelsLast = false };
        var config = new FineTuneConfig { Classes = 3 }.WithEncoderOf("last.ckpt", pretraining);
        Assert.That(config.StemPadding, Is.EqualTo(padding));
        using var model = FineTuneModel.Create(config with { Init = FineTuneConfig.RandomInit });
        Assert.That(model.Network.Stem.conv.padding, Is.EqualTo(new long[] { inForce, inForce }));
        string json = JsonSerializer.Serialize(config);
        Assert.That(json.Contains("StemPadding", StringComparison.Ordinal), Is.EqualTo(padding is not null), json);
        Assert.That(JsonSerializer.Deserialize<FineTuneConfig>(json)!.StemPadding, Is.EqualTo(padding));
    }
}
