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

    [Test]
    public void The_bank_momentum_is_in_the_json_of_memory_bank_runs_only()
    {
        Assert.That(JsonSerializer.Serialize(PretrainConfig.V2 with { MemoryBankMomentum = 0.7 }), Does.Not.Contain("MemoryBankMomentum"));
        string bank = JsonSerializer.Serialize(PretrainConfig.V2 with { Method = ContrastiveMethod.MemoryBank, MemoryBankMomentum = 0.7 });
        Assert.That(bank, Does.Contain("\"MemoryBankMomentum\":0.7"));
        var read = JsonSerializer.Deserialize<PretrainConfig>(bank)!;
        Assert.That(read.MemoryBankMomentum, Is.EqualTo(0.7));
        Assert.That(read.MoCoOptions.MemoryBankMomentum, Is.EqualTo(0.7));
        Assert.That(JsonSerializer.Deserialize<PretrainConfig>("{\"Method\":\"MemoryBank\"}")!.MemoryBankMomentum, Is.EqualTo(0.5));
    }

    [Test]
    public void Validation_refuses_what_a_method_does_not_take()
    {
        Assert.Throws<ArgumentException>(() => (PretrainConfig.V2 with { Method = ContrastiveMethod.EndToEnd, Symmetric = true }).Validate());
        Assert.Throws<ArgumentException>(() => (PretrainConfig.V2 with { Method = ContrastiveMethod.MemoryBank, MemoryBankMomentum = 1.5 }).Validate());
        Assert.Throws<ArgumentException>(() => (PretrainConfig.V2 with { Method = ContrastiveMethod.EndToEnd, BatchSize = 1 }).Validate());
        // The queue divisibility is MoCo's: the other methods take any K.
        Assert.DoesNotThrow(() => (PretrainConfig.V2 with { Method = ContrastiveMethod.MemoryBank, QueueSize = 1000 }).Validate());
        Assert.DoesNotThrow(() => (PretrainConfig.V2 with { Method = ContrastiveMethod.EndToEnd, QueueSize = 1000 }).Validate());
        Assert.Throws<ArgumentException>(() => (PretrainConfig.V2 with { QueueSize = 1000 }).Validate());
    }
}
