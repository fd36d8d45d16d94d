using System.Text.Json;
using MoCo.Training.Trainer;

namespace MoCo.Training.Tests.Trainer;

public class PretrainConfigShuffleKeysTests
{
    [Test]
    public void Shuffle_BN_off_round_trips_through_JSON_and_on_leaves_the_JSON_as_before()
    {
        string on = JsonSerializer.Serialize(PretrainConfig.V2);
        Assert.That(on, Does.Not.Contain("ShuffleKeys"), "configs of runs with shuffle BN read as before the switch existed");
        Assert.That(JsonSerializer.Deserialize<PretrainConfig>(on)!.ShuffleKeys, Is.True);
        string off = JsonSerializer.Serialize(PretrainConfig.V2 with { ShuffleKeys = false });
        Assert.That(off, Does.Contain("\"ShuffleKeys\":false"));
        var read = JsonSerializer.Deserialize<PretrainConfig>(off)!;
        Assert.That(read.ShuffleKeys, Is.False);
        Assert.That(read.MoCoOptions.ShuffleKeys, Is.False);
    }
}
