using System.Text.Json;
using MoCo.Training.Method;
using MoCo.Training.Trainer;

namespace MoCo.Training.Tests.Method;

public class ContrastiveMethodTests
{
    [Test]
    public void Command_line_names_round_trip_and_an_unknown_name_lists_the_known_ones()
    {
        foreach (ContrastiveMethod m in Enum.GetValues<ContrastiveMethod>())
            Assert.That(ContrastiveMethodNames.Parse(ContrastiveMethodNames.Format(m)), Is.EqualTo(m));
        Assert.That(ContrastiveMethodNames.Parse(" End-To-End "), Is.EqualTo(ContrastiveMethod.EndToEnd));
        var e = Assert.Throws<ArgumentException>(() => ContrastiveMethodNames.Parse("simclr"));
        Assert.That(e!.Message, Does.Contain("'simclr'").And.Contain("moco, end-to-end, memory-bank"));
    }

    [Test]
    public void The_config_json_names_the_method_and_a_config_without_it_is_moco()
    {
        string moco = JsonSerializer.Serialize(PretrainConfig.V2);
        Assert.That(moco, Does.Not.Contain("\"Method\""), "a MoCo config reads as before the field existed");
        Assert.That(JsonSerializer.Deserialize<PretrainConfig>(moco)!.Method, Is.EqualTo(ContrastiveMethod.MoCo));
        string bank = JsonSerializer.Serialize(PretrainConfig.V2 with { Method = ContrastiveMethod.MemoryBank });
        Assert.That(bank, Does.Contain("\"Method\":\"MemoryBank\""));
        Assert.That(JsonSerializer.Deserialize<PretrainConfig>(bank)!.Method, Is.EqualTo(ContrastiveMethod.MemoryBank));
        Assert.That(JsonSerializer.Deserialize<PretrainConfig>("{\"Method\":\"EndToEnd\"}")!.Method, Is.EqualTo(ContrastiveMethod.EndToEnd));
    }
}
